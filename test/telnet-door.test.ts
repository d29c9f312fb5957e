import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createLogger } from '../common/log.js';
import type { Call, CallerInfo, DialResult, DirectoryEntry, Line, Switchboard } from '../server/line.js';
import { createTelnetDoor, type TelnetDoor } from '../server/doors/telnet-door.js';
import { MAX_CONTROL_RUN } from '../server/doors/telnet-line-editor.js';

const [IAC, DONT, DO, WONT, WILL, SB, SE] = [255, 254, 253, 252, 251, 250, 240];
const [ECHO, SGA, TTYPE, NAWS] = [1, 3, 24, 31];
const VERB: Record<number, string> = { [DO]: 'DO', [DONT]: 'DONT', [WILL]: 'WILL', [WONT]: 'WONT' };

/** Resolves when `check` holds, re-checked whenever a watcher is notified; rejects if `closed` first. */
function until(watchers: Set<() => void>, check: () => boolean, what: string, closed: () => boolean = () => false): Promise<void> {
  return new Promise((resolve, reject) => {
    const test = (): void => {
      if (check()) resolve();
      else if (closed()) reject(new Error(`closed before ${what}`));
      else return;
      watchers.delete(test);
    };
    watchers.add(test);
    test();
  });
}

const notify = (watchers: Set<() => void>): void => watchers.forEach((watch) => watch());

/** A call as the door sees it; records what the door sends and lets the test act as the backend. */
class FakeCall implements Call {
  readonly number = 'bbs.10';
  readonly lines: string[] = [];
  leaves = 0;
  readonly congested = false;
  readonly watchers = new Set<() => void>();
  constructor(readonly id: string, readonly line: Line, readonly info: CallerInfo) {}
  send(body: Buffer | string): void {
    this.lines.push((JSON.parse(String(body)) as { msg: string }).msg);
    notify(this.watchers);
  }
  sendLine(line: string): void {
    this.send(JSON.stringify({ type: 'msg', msg: line }));
  }
  leave(): void {
    this.leaves++;
    notify(this.watchers);
  }
  whenClear(wake: () => void): void {
    wake();
  }
  reply(reply: object): void {
    this.line.deliver(Buffer.from(JSON.stringify(reply)));
  }
  received(line: string): Promise<void> {
    return until(this.watchers, () => this.lines.includes(line), `line ${line}`);
  }
  left(): Promise<void> {
    return until(this.watchers, () => this.leaves > 0, 'leave()');
  }
}

class FakeSwitchboard implements Switchboard {
  readonly calls: FakeCall[] = [];
  private readonly watchers = new Set<() => void>();
  constructor(private readonly refusal?: string) {}
  dial(line: Line, info: CallerInfo): DialResult {
    if (this.refusal !== undefined) return { ok: false, reason: 'no-line', message: this.refusal };
    const call = new FakeCall(String(this.calls.length + 1), line, info);
    this.calls.push(call);
    notify(this.watchers);
    return { ok: true, call };
  }
  directory(): DirectoryEntry[] {
    return [];
  }
  knows(): boolean {
    return true;
  }
  async dialled(n: number): Promise<FakeCall> {
    await until(this.watchers, () => this.calls.length >= n, `dial ${n}`);
    return this.calls[n - 1] as FakeCall;
  }
}

type Mode = { readonly negotiate: false } | { readonly negotiate: true; readonly ttype: string | undefined; readonly refuseEcho?: true };

/** A caller's terminal: answers negotiation like a telnet client (or not at all, like nc) and keeps the screen bytes. */
class Terminal {
  readonly screen: number[] = [];
  readonly commands: string[] = [];
  closed = false;
  private pending = Buffer.alloc(0);
  private readonly watchers = new Set<() => void>();

  constructor(readonly socket: Socket, private readonly mode: Mode) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      notify(this.watchers);
    });
  }

  static open(port: number, mode: Mode): Promise<Terminal> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new Terminal(socket, mode)));
      socket.once('error', reject);
      onTestFinished(() => void socket.destroy());
    });
  }

  get text(): string {
    return Buffer.from(this.screen).toString('utf8');
  }

  since(mark: number): string {
    return Buffer.from(this.screen.slice(mark)).toString('utf8');
  }

  shows(wanted: string, from = 0): Promise<void> {
    return until(this.watchers, () => this.since(from).includes(wanted), JSON.stringify(wanted), () => this.closed);
  }

  heard(commands: number): Promise<void> {
    return until(this.watchers, () => this.commands.length >= commands, `${commands} commands`, () => this.closed);
  }

  whenClosed(): Promise<void> {
    return until(this.watchers, () => this.closed, 'close');
  }

  type(bytes: string | number[]): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes) : Buffer.from(bytes));
  }

  private receive(chunk: Buffer): void {
    const buf = Buffer.concat([this.pending, chunk]);
    let i = 0;
    for (; i < buf.length; i++) {
      const byte = buf[i] as number;
      if (byte !== IAC) {
        this.screen.push(byte);
        continue;
      }
      const command = buf[i + 1];
      if (command === undefined) break;
      if (command === IAC) {
        this.screen.push(IAC);
        i++;
      } else if (command === SB) {
        const end = buf.indexOf(Buffer.from([IAC, SE]), i);
        if (end < 0) break;
        this.command(`SB ${[...buf.subarray(i + 2, end)].join(' ')}`);
        i = end + 1;
      } else if (VERB[command] !== undefined) {
        const option = buf[i + 2];
        if (option === undefined) break;
        this.command(`${VERB[command]} ${option}`);
        i += 2;
      }
    }
    this.pending = Buffer.from(buf.subarray(i));
    notify(this.watchers);
  }

  private command(command: string): void {
    this.commands.push(command);
    if (!this.mode.negotiate) return;
    const ttype = this.mode.ttype;
    const answers: Record<string, number[]> = {
      [`WILL ${ECHO}`]: [IAC, this.mode.refuseEcho === true ? DONT : DO, ECHO],
      [`WILL ${SGA}`]: [IAC, DO, SGA],
      [`DO ${TTYPE}`]: ttype === undefined ? [IAC, WONT, TTYPE] : [IAC, WILL, TTYPE],
      [`DO ${NAWS}`]: [IAC, WILL, NAWS, IAC, SB, NAWS, 0, 80, 0, 24, IAC, SE],
      [`SB ${TTYPE} 1`]: [IAC, SB, TTYPE, 0, ...Buffer.from(ttype ?? ''), IAC, SE],
    };
    const answer = answers[command];
    if (answer !== undefined) this.type(answer);
  }

}

interface Harness {
  readonly port: number;
  readonly door: TelnetDoor;
  readonly switchboard: FakeSwitchboard;
  /** Resolves when the server side of the `n`th connection (from 1) has closed and the door has seen it. */
  closedOnServer(n: number): Promise<void>;
}

async function startDoor(options: { timeoutMs?: number; maxLineBytes?: number; refusal?: string } = {}): Promise<Harness> {
  const switchboard = new FakeSwitchboard(options.refusal);
  const door = createTelnetDoor({
    switchboard,
    log: createLogger('silent'),
    negotiationTimeoutMs: options.timeoutMs ?? 10_000,
    ...(options.maxLineBytes === undefined ? {} : { maxLineBytes: options.maxLineBytes }),
  });
  const sockets = new Set<Socket>();
  const closed: Promise<void>[] = [];
  const watchers = new Set<() => void>();
  const server = createServer((socket) => {
    sockets.add(socket);
    door.handle(socket);
    // Registered after the door's own listener, so it runs once the door has seen the close.
    closed.push(new Promise((resolve) => socket.once('close', () => resolve())));
    notify(watchers);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return {
    port: (server.address() as AddressInfo).port,
    door,
    switchboard,
    async closedOnServer(n) {
      await until(watchers, () => closed.length >= n, `connection ${n}`);
      await closed[n - 1];
    },
  };
}

const XTERM: Mode = { negotiate: true, ttype: 'xterm-256color' };
const NC: Mode = { negotiate: false };
const green = (text: string): string => `\x1b[32m${text}\x1b[0m`;
const bright = (text: string): string => `\x1b[1;32m${text}\x1b[0m`;

describe('the telnet door with a negotiating terminal', () => {
  it('negotiates once, dials on the terminal type, and shows colour UTF-8 screens with CR LF', async () => {
    const { port, switchboard } = await startDoor();
    const term = await Terminal.open(port, XTERM);
    const call = await switchboard.dialled(1);
    expect(call.info).toEqual({ door: 'telnet', remoteAddr: '127.0.0.1', route: '@bbs' });
    expect(call.lines).toEqual(['connect']);
    call.reply({ type: 'screen', msg: 'Welcome\nto the BBS, Zoë ÿ' });
    await term.shows('ÿ');
    expect(term.text).toBe(`${green('Welcome\r\nto the BBS, Zoë ÿ')}\r\n`);
    // The door answered nothing it had itself offered: only its opening and the TTYPE request.
    expect(term.commands).toEqual([`WILL ${ECHO}`, `WILL ${SGA}`, `DO ${TTYPE}`, `DO ${NAWS}`, `SB ${TTYPE} 1`]);
  });

  it('echoes typed characters and backspace, and sends the line on Enter', async () => {
    const { port, switchboard } = await startDoor();
    const term = await Terminal.open(port, XTERM);
    const call = await switchboard.dialled(1);
    call.reply({ type: 'prompt', msg: "What's your name?", pchar: '> ' });
    await term.shows(bright('> '));
    expect(term.text).toBe(`${green("What's your name?")}\r\n${bright('> ')}`);
    const mark = term.screen.length;
    term.type('jox');
    term.type([0x7f]);
    term.type('e\r\n');
    await call.received('joe');
    await term.shows('\r\n', mark);
    expect(term.since(mark)).toBe('jox\b \be\r\n');
  });

  it('on a CP437 (TTYPE ANSI) terminal echoes backspace as BS space BS, not as question marks', async () => {
    const { port, switchboard } = await startDoor();
    const term = await Terminal.open(port, { negotiate: true, ttype: 'ANSI' });
    const call = await switchboard.dialled(1);
    call.reply({ type: 'prompt', msg: "What's your name?", pchar: '> ' });
    await term.shows(bright('> '));
    const mark = term.screen.length;
    term.type('ab');
    term.type([0x08]);
    term.type('\r\n');
    await call.received('a');
    await term.shows('\r\n', mark);
    expect(Buffer.from(term.screen.slice(mark))).toEqual(Buffer.from([0x61, 0x62, 0x08, 0x20, 0x08, 0x0d, 0x0a]));
  });

  it('takes Ctrl-W as delete-word and rings the bell at Ctrl-A/Ctrl-C/Ctrl-Z, keeping the half-written line and the call', async () => {
    const { port, switchboard, door } = await startDoor();
    const term = await Terminal.open(port, { negotiate: true, ttype: 'xterm-256color' });
    const call = await switchboard.dialled(1);
    call.reply({ type: 'prompt', msg: 'Say:', pchar: '> ' });
    await term.shows(bright('> '));
    const mark = term.screen.length;
    term.type('my half-written typo');
    term.type([0x17]);
    term.type([0x01, 0x03, 0x1a]);
    term.type('message\r\n');
    await call.received('my half-written message');
    await term.shows('message\r\n', mark);
    expect(term.since(mark)).toContain(`typo${'\b \b'.repeat(4)}\x07\x07\x07message`);
    expect(term.text).not.toContain('not accepted');
    expect(door.liveConnections).toBe(1);
    expect(call.leaves).toBe(0);
  });

  it('shows an event to a terminal that echoes itself (refused WILL ECHO) on a new line, erasing none of its half-typed line', async () => {
    const { port, switchboard } = await startDoor();
    const term = await Terminal.open(port, { negotiate: true, ttype: 'xterm-256color', refuseEcho: true });
    const call = await switchboard.dialled(1);
    call.reply({ type: 'prompt', msg: 'Say:', pchar: '> ' });
    await term.shows(bright('> '));
    term.type('hal');
    const mark = term.screen.length;
    call.reply({ type: 'event', kind: 'chat', msg: '<zed> hi', at: '2026-01-01T00:00:00.000Z' });
    await term.shows(bright('> '), mark);
    expect(term.since(mark)).toBe(`\r\n${green('<zed> hi')}\r\n${bright('> ')}`);
    term.type('f\r\n');
    await call.received('half');
  });

  it('skips arrow keys and takes Ctrl-U as erase-line', async () => {
    const { port, switchboard } = await startDoor();
    const term = await Terminal.open(port, XTERM);
    const call = await switchboard.dialled(1);
    term.type('oops\x15ab\x1b[Dc\x1bOA\t!\r\n');
    await call.received('abc\t!');
    await term.shows('\r\n');
    expect(term.text).toBe('oops\b \b\b \b\b \b\b \babc\t!\r\n');
  });

  it('does not echo the answer to an echo:false prompt, not even as asterisks', async () => {
    const { port, switchboard } = await startDoor();
    const term = await Terminal.open(port, XTERM);
    const call = await switchboard.dialled(1);
    call.reply({ type: 'prompt', msg: 'Password?', pchar: ': ', echo: false });
    await term.shows(bright(': '));
    const mark = term.screen.length;
    term.type('s3cret');
    term.type([13, 0]);
    await call.received('s3cret');
    call.reply({ type: 'screen', msg: 'ok' });
    await term.shows('ok', mark);
    expect(term.since(mark)).toBe(`\r\n${green('ok')}\r\n`);
  });

  it('dials at once when the terminal refuses TTYPE, and then renders plain ASCII', async () => {
    const { port, switchboard } = await startDoor();
    const term = await Terminal.open(port, { negotiate: true, ttype: undefined });
    const call = await switchboard.dialled(1);
    call.reply({ type: 'exit', msg: 'Tschüß — bye 🙂' });
    await term.shows('bye');
    expect(term.text).toBe('Tschuss - bye ?\r\n');
  });
});

describe('the telnet door with terminals that do not negotiate', () => {
  it('waits for the deadline when the terminal never answers, then dials', async () => {
    const { port, switchboard } = await startDoor({ timeoutMs: 150 });
    const term = await Terminal.open(port, NC);
    await term.heard(4);
    expect(switchboard.calls).toHaveLength(0);
    const call = await switchboard.dialled(1);
    expect(term.commands).toEqual([`WILL ${ECHO}`, `WILL ${SGA}`, `DO ${TTYPE}`, `DO ${NAWS}`]);
    expect(call.lines).toEqual(['connect']);
  });

  it('gives an nc caller plain ASCII, no colour and no echo, and takes bare LF lines', async () => {
    const { port, switchboard } = await startDoor({ timeoutMs: 50 });
    const term = await Terminal.open(port, NC);
    const call = await switchboard.dialled(1);
    call.reply({ type: 'prompt', msg: 'Ünïcödé naïve café', pchar: '> ' });
    await term.shows('> ');
    expect(term.text).toBe('Unicode naive cafe\r\n> ');
    const mark = term.screen.length;
    term.type('hello\n');
    await call.received('hello');
    call.reply({ type: 'screen', msg: 'next' });
    await term.shows('next', mark);
    expect(term.since(mark)).toBe('next\r\n');
    expect(term.text).not.toContain('\x1b');
  });

  it('takes lines typed before the call is dialled, after the connect line', async () => {
    const { port, switchboard } = await startDoor({ timeoutMs: 50 });
    const term = await Terminal.open(port, NC);
    term.type('early\r\n');
    const call = await switchboard.dialled(1);
    await call.received('early');
    expect(call.lines).toEqual(['connect', 'early']);
  });
});

describe('the telnet door with a line too long', () => {
  it('does not read it, says so with the prompt again, and reads the next line: the call goes on', async () => {
    const { port, switchboard } = await startDoor({ maxLineBytes: 64 });
    const term = await Terminal.open(port, XTERM);
    const call = await switchboard.dialled(1);
    term.type(`${'x'.repeat(100)}\r\n`);
    await term.shows('That line was longer than the 64 bytes a line may have, so it was not read');
    term.type('short\r\n');
    await call.received('short');
    expect(call.lines).toEqual(['connect', 'short']);
  });
});

describe('the telnet door with bad input', () => {
  const cases: [string, (term: Terminal) => void, string][] = [
    ['invalid UTF-8', (term) => term.type([0x41, 0xc3, 0x28, 13, 10]), 'That was not valid UTF-8 text; closing the line.'],
    ['IAC IAC, a 0xFF data byte, which is not UTF-8', (term) => term.type([IAC, IAC, 13, 10]), 'That was not valid UTF-8 text; closing the line.'],
    ['binary junk', (term) => term.type([0x41, 0x00, 0x01, 0x02]), 'Control characters and binary data are not accepted; closing the line.'],
    ['a flood of control bytes', (term) => term.type(new Array<number>(MAX_CONTROL_RUN + 1).fill(0x01)), 'Control characters and binary data are not accepted; closing the line.'],
    ['a subnegotiation that never ends', (term) => term.type([IAC, SB, TTYPE, 0, ...new Array<number>(600).fill(0x41)]), 'Your terminal sent a broken telnet negotiation; closing the line.'],
  ];
  for (const [what, send, message] of cases) {
    it(`closes the line on ${what}, and the other callers go on`, async () => {
      const { port, switchboard, door, closedOnServer } = await startDoor({ maxLineBytes: 64 });
      const bad = await Terminal.open(port, XTERM);
      const badCall = await switchboard.dialled(1);
      const good = await Terminal.open(port, XTERM);
      const goodCall = await switchboard.dialled(2);
      send(bad);
      await bad.whenClosed();
      expect(bad.text).toContain(message);
      await badCall.left();
      goodCall.reply({ type: 'screen', msg: 'still here' });
      await good.shows('still here');
      await closedOnServer(1);
      expect(door.liveConnections).toBe(1);
      expect(badCall.leaves).toBe(1);
    });
  }

  it('shows a note, not a crash, for a reply that is not JSON', async () => {
    const { port, switchboard } = await startDoor();
    const term = await Terminal.open(port, XTERM);
    const call = await switchboard.dialled(1);
    call.line.deliver(Buffer.from('<html>oops'));
    call.reply({ type: 'screen', msg: 'after' });
    await term.shows('after');
    expect(term.text).toContain('[The BBS sent something this terminal cannot show.]');
  });
});

describe('the telnet door hanging up', () => {
  it('calls leave() once when the caller disconnects', async () => {
    const { port, switchboard, door } = await startDoor();
    const term = await Terminal.open(port, XTERM);
    const call = await switchboard.dialled(1);
    term.socket.destroy();
    await call.left();
    expect(door.liveConnections).toBe(0);
    expect(call.leaves).toBe(1);
  });

  it('flushes and closes on hangUp() without calling leave()', async () => {
    const { port, switchboard, door, closedOnServer } = await startDoor();
    const term = await Terminal.open(port, XTERM);
    const call = await switchboard.dialled(1);
    call.reply({ type: 'exit', msg: 'see ya later' });
    call.line.hangUp();
    await term.whenClosed();
    await closedOnServer(1);
    expect(term.text).toBe(`${green('see ya later')}\r\n`);
    expect(call.leaves).toBe(0);
    expect(door.liveConnections).toBe(0);
  });

  it('tells the caller when there is no line and closes', async () => {
    const { port } = await startDoor({ timeoutMs: 0, refusal: 'No line is available; try again later.' });
    const term = await Terminal.open(port, NC);
    await term.whenClosed();
    expect(term.text).toBe('\r\nNo line is available; try again later.\r\n');
  });

  it('closeAll tells every caller and closes them', async () => {
    const { port, switchboard, door } = await startDoor();
    const terms = [await Terminal.open(port, XTERM), await Terminal.open(port, XTERM)];
    const calls = [await switchboard.dialled(1), await switchboard.dialled(2)];
    door.closeAll('The BBS is going down for now.');
    await Promise.all(terms.map((term) => term.whenClosed()));
    for (const term of terms) expect(term.text).toContain('The BBS is going down for now.');
    expect(calls.map((call) => call.leaves)).toEqual([1, 1]);
  });
});
