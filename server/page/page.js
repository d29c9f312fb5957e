/*
 * The green-screen page: an xterm.js terminal on the proxy's WebSocket door. The caller edits
 * each line here and it is sent whole, as the original BBS client did; the proxy dials the BBS
 * on the page's behalf, so the page only ever sends what the caller typed.
 *
 * Tests read `document.body.dataset.line` (dialling, connected, closed, failed) and the
 * terminal as `window.m2bbsTerminal`; nothing else is global.
 */
(() => {
  'use strict';

  const MAX_LINE_BYTES = 4096; // the proxy's line limit on its other doors
  const MAX_TYPE_AHEAD = 65536; // characters typed or pasted before the BBS asks for them
  const DIAL_TIMEOUT_MS = 15000;
  const MAX_DOTS = 30;
  const BRIGHT = '\x1b[1;32m';
  const YELLOW = '\x1b[1;33m';
  const RED = '\x1b[1;31m';
  const RESET = '\x1b[0m';

  const status = document.getElementById('status');
  const mark = (line, text, error = false) => {
    document.body.dataset.line = line;
    status.textContent = text;
    status.classList.toggle('error', error);
  };

  if (typeof window.Terminal !== 'function' || typeof window.FitAddon?.FitAddon !== 'function') {
    mark('failed', 'The terminal (xterm.js) did not load, so the BBS cannot be shown. Reload the page, or call with telnet on port 2323.', true);
    return;
  }

  const asked = new URLSearchParams(location.search).get('route');
  const route = asked !== null && /^@[\w.-]{1,64}$/.test(asked) ? asked : '@bbs';
  const wsUrl = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws${route === '@bbs' ? '' : `?route=${encodeURIComponent(route)}`}`;

  // --- the terminal, filling the window at any size ---
  const fontSizeFor = (width) => (width < 480 ? 12 : width < 800 ? 14 : 16);
  const container = document.getElementById('terminal');
  const term = new window.Terminal({
    cursorBlink: true,
    fontFamily: getComputedStyle(document.body).fontFamily,
    fontSize: fontSizeFor(window.innerWidth),
    scrollback: 5000,
    theme: {
      background: '#000000', foreground: '#33ff33', cursor: '#33ff33', cursorAccent: '#000000',
      selectionBackground: '#1f7a1f', selectionForeground: '#000000',
      green: '#33ff33', brightGreen: '#99ff99', yellow: '#ffff55', brightYellow: '#ffff88',
      red: '#ff5555', brightRed: '#ff5555',
    },
  });
  const fit = new window.FitAddon.FitAddon();
  term.loadAddon(fit);
  term.open(container);
  window.m2bbsTerminal = term;
  let fitQueued = false;
  const refit = () => {
    if (fitQueued) return;
    fitQueued = true;
    requestAnimationFrame(() => {
      fitQueued = false;
      const size = fontSizeFor(window.innerWidth);
      if (term.options.fontSize !== size) term.options.fontSize = size;
      fit.fit();
    });
  };
  window.addEventListener('resize', refit);
  new ResizeObserver(refit).observe(container);
  document.fonts?.ready.then(refit);
  fit.fit();
  status.classList.add('quiet');

  // --- output: one queue, so a redraw is computed only once everything before it is on screen ---
  const pending = [];
  let writing = false;
  const out = (chunk) => {
    pending.push(chunk);
    if (writing) return;
    writing = true;
    drain();
  };
  function drain() {
    let text = '';
    while (pending.length > 0) {
      if (typeof pending[0] === 'function') {
        if (text !== '') break;
        text = pending.shift()();
      } else {
        text += pending.shift();
      }
    }
    if (text === '') writing = false;
    else term.write(text, drain);
  }

  // Backends are not trusted with the terminal: only complete colour (SGR) sequences survive.
  const ESCAPE = /\x1b(\[[0-?]*[ -/]*[@-~])?/g;
  const CONTROLS = /[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f-\x9f]/g;
  const clean = (text) =>
    text
      .replace(/\r\n?/g, '\n')
      .replace(ESCAPE, (seq, csi) => (csi !== undefined && seq.endsWith('m') ? seq : ''))
      .replace(CONTROLS, '')
      .replace(/\n/g, '\r\n');

  // --- the line editor ---
  const editor = { active: false, echo: true, chars: [], bytes: 0, marker: undefined, col: 0 };
  let promptSeq = 0; // bumped whenever a prompt stops being the one on screen
  let atPrompt = false; // a prompt char is on screen (or queued) and its line is not finished
  let promptLine = ''; // the prompt character as drawn, drawn again below an event
  let typed = []; // keys typed or pasted ahead of the BBS asking
  let typedLength = 0;

  const utf8Bytes = (ch) => {
    const cp = ch.codePointAt(0);
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  };
  const visible = () => (editor.echo ? editor.chars.join('') : '*'.repeat(editor.chars.length));

  function startPrompt(echo) {
    const seq = ++promptSeq;
    out(() => {
      if (seq !== promptSeq) return '';
      Object.assign(editor, { active: true, echo, chars: [], bytes: 0, marker: term.registerMarker(0), col: term.buffer.active.cursorX });
      pump();
      return '';
    });
  }

  function clearEditor() {
    editor.marker?.dispose();
    Object.assign(editor, { active: false, chars: [], bytes: 0, marker: undefined });
  }

  // The BBS said something else before the caller pressed Enter: that line is dropped.
  function endPrompt() {
    promptSeq++;
    clearEditor();
    if (atPrompt) out('\r\n');
    atPrompt = false;
  }

  // Rewrites the line from where it starts, so wide characters and wrapped lines erase cleanly.
  function redraw(erased) {
    const text = visible();
    out(() => {
      // Read when drawn: an event shown meanwhile moved the line (showEvent).
      const { marker, col } = editor;
      if (marker === undefined || marker.isDisposed) return '';
      const row = marker.line - term.buffer.active.baseY;
      if (row < 0) return '\b \b'.repeat(erased); // the line's start has scrolled off the screen
      return `\x1b[${row + 1};${col + 1}H\x1b[J${text}`;
    });
  }

  // An event (a chat line, a page) goes on its own line(s) above the line being typed, which is
  // then drawn again, prompt and all, and stays the caller's to edit. It changes no prompt state.
  function showEvent(msg) {
    const text = visible();
    const line = promptLine;
    let moved = false;
    out(() => {
      const { marker } = editor;
      if (!editor.active || marker === undefined || marker.isDisposed) {
        return `${term.buffer.active.cursorX === 0 ? '' : '\r\n'}${msg}${RESET}\r\n`;
      }
      const row = marker.line - term.buffer.active.baseY;
      marker.dispose();
      editor.marker = undefined;
      moved = true;
      return `${row < 0 ? '\r\n' : `\x1b[${row + 1};1H\x1b[J`}${msg}${RESET}\r\n${line}`;
    });
    out(() => {
      if (!moved || !editor.active) return '';
      Object.assign(editor, { marker: term.registerMarker(0), col: term.buffer.active.cursorX });
      return text;
    });
  }

  // xterm.js reflows the screen on resize but can clip the line being typed: draw it again.
  // The BBS wraps what it says to the width: it is told the new one for the next screen.
  term.onResize(({ cols }) => {
    if (editor.active) redraw(0);
    if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'size', cols }));
  });

  function apply(token) {
    if (token.text !== undefined) {
      let shown = '';
      for (const ch of token.text) {
        if (editor.bytes + utf8Bytes(ch) > MAX_LINE_BYTES) break;
        editor.chars.push(ch);
        editor.bytes += utf8Bytes(ch);
        shown += editor.echo ? ch : '*';
      }
      out(shown);
    } else if (token.key === 'enter') {
      const line = editor.chars.join('');
      clearEditor();
      atPrompt = false;
      if (term.textarea !== undefined) term.textarea.value = '';
      out('\r\n');
      if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'msg', msg: line }));
    } else {
      const before = editor.chars.length;
      if (token.key === 'kill') editor.chars = [];
      else if (token.key === 'erase') editor.chars.pop();
      else {
        while (/\s/.test(editor.chars.at(-1) ?? '')) editor.chars.pop();
        while (/\S/.test(editor.chars.at(-1) ?? '')) editor.chars.pop();
      }
      if (editor.chars.length === before) return;
      editor.bytes = editor.chars.reduce((sum, ch) => sum + utf8Bytes(ch), 0);
      redraw(before - editor.chars.length);
    }
  }

  function pump() {
    while (editor.active && typed.length > 0) {
      const token = typed.shift();
      typedLength -= token.text?.length ?? 0;
      apply(token);
    }
  }

  // Printable text (any script) in runs; Enter, Backspace, Ctrl-W and Ctrl-U as keys; other
  // control keys and escape sequences (arrows, function keys, Alt-combinations) are ignored.
  function tokenize(data) {
    const tokens = [];
    let run = '';
    const key = (name) => {
      if (run !== '') tokens.push({ text: run });
      run = '';
      if (name !== undefined) tokens.push({ key: name });
    };
    for (let i = 0; i < data.length; i++) {
      const c = data[i];
      const code = data.charCodeAt(i);
      if (c === '\x1b') {
        key();
        if (data[i + 1] === '[') {
          i += 2;
          while (i < data.length && !(data.charCodeAt(i) >= 0x40 && data.charCodeAt(i) <= 0x7e)) i++;
        } else {
          i += data[i + 1] === 'O' ? 2 : 1;
        }
      } else if (c === '\r' || c === '\n') {
        key('enter');
        if (c === '\r' && data[i + 1] === '\n') i++;
      } else if (c === '\x7f' || c === '\b') key('erase');
      else if (c === '\x17') key('word');
      else if (c === '\x15') key('kill');
      else if (code >= 0x20 && !(code >= 0x7f && code < 0xa0)) run += c;
    }
    key();
    return tokens;
  }

  // --- the line to the BBS ---
  let ws;
  let state = 'dialling';

  function dial() {
    state = 'dialling';
    typed = [];
    typedLength = 0;
    out(() => {
      mark('dialling', `Dialling ${route}.`);
      return `${BRIGHT}ATDT ${route}${RESET}`;
    });
    let socket;
    try {
      // The width rides on the call (`cols`), so the first screen is wrapped to it already.
      socket = new WebSocket(`${wsUrl}${wsUrl.includes('?') ? '&' : '?'}cols=${term.cols}`);
    } catch {
      hangUp(false);
      return;
    }
    ws = socket;
    let opened = false;
    let dots = 0;
    const dotsTimer = setInterval(() => dots++ < MAX_DOTS && out('.'), 300);
    const dialTimer = setTimeout(() => socket.close(), DIAL_TIMEOUT_MS);
    socket.addEventListener('open', () => {
      opened = true;
      clearInterval(dotsTimer);
      clearTimeout(dialTimer);
      state = 'connected';
      // The proxy says `ATDT @bbs.10 ... CONNECT` once the BBS answers, as it does in every door.
      out('\r\n');
      out(() => {
        mark('connected', `Connected to ${route}.`);
        return '';
      });
    });
    socket.addEventListener('message', (event) => {
      if (socket === ws) onReply(event.data);
    });
    socket.addEventListener('close', () => {
      clearInterval(dotsTimer);
      clearTimeout(dialTimer);
      if (socket !== ws) return;
      ws = undefined;
      hangUp(opened);
    });
  }

  function onReply(data) {
    let reply;
    try {
      reply = typeof data === 'string' ? JSON.parse(data) : undefined;
    } catch {
      reply = undefined;
    }
    if (reply?.type === 'event') {
      if (typeof reply.msg === 'string' && reply.msg !== '') showEvent(clean(reply.msg));
      return;
    }
    // A notice between a prompt and its answer (`-- line moved to @bbs.11 --`: the same prompt
    // comes again) leaves the line being typed the caller's: it goes on at the next prompt.
    const draft = reply?.type === 'notice' && editor.active && editor.echo ? editor.chars.join('') : '';
    endPrompt();
    if (draft !== '') {
      typed.unshift({ text: draft });
      typedLength += draft.length;
    }
    if (typeof reply !== 'object' || reply === null || typeof reply.type !== 'string') {
      out(`${YELLOW}[The BBS sent something this terminal cannot show.]${RESET}\r\n`);
      return;
    }
    const msg = typeof reply.msg === 'string' ? clean(reply.msg) : '';
    if (reply.type === 'prompt') {
      const pchar = typeof reply.pchar === 'string' ? clean(reply.pchar).replace(/\r\n/g, ' ') : '> ';
      promptLine = `${BRIGHT}${pchar}${RESET}`;
      out(`${msg === '' ? '' : `${msg}${RESET}\r\n`}${promptLine}`);
      atPrompt = true;
      startPrompt(reply.echo !== false);
    } else if (reply.type === 'busy' || reply.type === 'notice') {
      out(`${YELLOW}${msg}${RESET}\r\n`);
    } else {
      out(`${msg}${RESET}\r\n`);
    }
  }

  function hangUp(opened) {
    endPrompt();
    typed = [];
    typedLength = 0;
    if (opened) {
      state = 'closed';
      out(`\r\n${BRIGHT}NO CARRIER${RESET}\r\nPress Enter to redial.\r\n`);
      out(() => {
        mark('closed', 'NO CARRIER: the line is closed. Press Enter to redial.');
        return '';
      });
    } else {
      state = 'failed';
      const why = `Could not reach the BBS at ${location.host || 'this address'}: it may be down, or its proxy is not running.`;
      out(`\r\n${RED}NO ANSWER${RESET}\r\n${RED}${why}${RESET}\r\nPress Enter to redial.\r\n`);
      out(() => {
        mark('failed', `NO ANSWER. ${why} Press Enter to redial.`, true);
        return '';
      });
    }
  }

  term.onData((data) => {
    if (state === 'closed' || state === 'failed') {
      if (/[\r\n]/.test(data)) {
        out('\r\n');
        dial();
      }
      return;
    }
    if (state !== 'connected') return;
    for (const token of tokenize(data)) {
      const length = token.text?.length ?? 0;
      if (typedLength + length > MAX_TYPE_AHEAD) break;
      typedLength += length;
      typed.push(token);
    }
    pump();
  });

  term.focus();
  dial();
})();
