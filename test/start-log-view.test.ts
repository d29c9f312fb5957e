import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { renderLogLine, textLogOutput } from '../server/log-view.js';

const at = new Date(2026, 0, 2, 3, 4, 5).toISOString();

describe('the human log view of m2bbs start', () => {
  it('shows local time, who, WARN/ERROR, the message and plain fields; leaves lists and objects to the file', () => {
    const line = JSON.stringify({ time: at, level: 'info', msg: 'login', handler: 'bbs.10', caller: 'alice', conn: 7, backends: [{ number: 'bbs.10' }] });
    expect(renderLogLine(line, 'bbs.10')).toBe('03:04:05 bbs.10  login caller=alice conn=7');
    const warn = JSON.stringify({ time: at, level: 'warn', msg: 'backend exited; restarting', supervisor: true, signal: 'SIGKILL', note: 'two words' });
    expect(renderLogLine(warn, 'start')).toBe('03:04:05 start   WARN backend exited; restarting signal=SIGKILL note="two words"');
    const error = JSON.stringify({ time: at, level: 'error', msg: 'stop failed', error: { name: 'Error', message: 'it broke', stack: 'Error: it broke\n    at x' } });
    expect(renderLogLine(error, 'proxy')).toBe('03:04:05 proxy   ERROR stop failed error="it broke"');
  });

  it('passes a line that is not a JSON record through as it is', () => {
    expect(renderLogLine('m2bbs: 127.0.0.1:6767 is already in use', 'proxy')).toBe('m2bbs: 127.0.0.1:6767 is already in use');
    expect(renderLogLine('[1,2]', 'proxy')).toBe('[1,2]');
  });

  it("never hands a caller's control characters to the sysop's terminal: escapes are shown, not obeyed", () => {
    // What a caller gets into the log: a message type of their choosing.
    const record = JSON.stringify({ time: at, level: 'warn', msg: 'malformed message from caller', type: '\u001b]0;owned\u0007\u001b[2J', name: 'a\u009bb' });
    const shown = renderLogLine(record, 'bbs.10');
    expect(shown).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(shown).toContain('type=\\u001b]0;owned\\u0007\\u001b[2J');
    expect(renderLogLine('raw \u001b[2J line', 'bbs.10')).toBe('raw \\u001b[2J line');
  });

  it('shows BiDi overrides, zero-width characters and separators as escapes, not turned-around or hidden text', () => {
    const record = JSON.stringify({ time: at, level: 'warn', msg: 'websocket refused', host: 'evil\u202egpj.exe', name: 'zw\u200bsp\u2028x' });
    const shown = renderLogLine(record, 'proxy');
    expect(shown).not.toMatch(/[\u200b\u202e\u2028]/u);
    expect(shown).toContain('host=evil\\u202egpj.exe');
    expect(shown).toContain('name="zw\\u200bsp\\u2028x"');
  });

  it('writes every line to the file as it came, and cut to the width on the terminal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-log-view-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const shown: string[] = [];
    const output = textLogOutput({ write: (text: string) => shown.push(text) }, join(dir, 'data', 'm2bbs.log'), 30);
    const record = JSON.stringify({ time: at, level: 'info', msg: 'a rather long message for the width', proxy: true });
    output.sink('proxy').write(`${record}\nnot json\n`);
    output.close();
    expect(readFileSync(join(dir, 'data', 'm2bbs.log'), 'utf8')).toBe(`${record}\nnot json\n`);
    expect(shown).toEqual(['03:04:05 proxy   a rather lon…\n', 'not json\n']);
    expect(output.file).toBe(join(dir, 'data', 'm2bbs.log'));
  });

  it('shows warnings, errors and lines that are no record whole, however wide: what went wrong is not cut off', () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-log-view-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const shown: string[] = [];
    const output = textLogOutput({ write: (text: string) => shown.push(text) }, join(dir, 'm2bbs.log'), 30);
    const why = 'Everything it held is saved in data/m2bbs.db.rescued-x: to keep it, stop the BBS';
    output.sink('bbs.10').write(`${JSON.stringify({ time: at, level: 'error', msg: 'database file gone', handler: 'bbs.10', error: why })}\n`);
    output.sink('start').write(`${JSON.stringify({ time: at, level: 'warn', msg: 'backend exited; restarting', supervisor: true, signal: 'SIGKILL' })}\n`);
    output.sink('bbs.10').write('Error: a stack trace line that is longer than thirty\n');
    output.close();
    expect(shown).toEqual([
      `03:04:05 bbs.10  ERROR database file gone error="${why}"\n`,
      '03:04:05 start   WARN backend exited; restarting signal=SIGKILL\n',
      'Error: a stack trace line that is longer than thirty\n',
    ]);
  });

  it.skipIf(!existsSync('/dev/full'))('a log file that cannot be written (a full disk) is said once and stops nothing: the lines still show', () => {
    const shown: string[] = [];
    const output = textLogOutput({ write: (text: string) => shown.push(text) }, '/dev/full');
    const record = (msg: string): string => `${JSON.stringify({ time: at, level: 'info', msg, proxy: true })}\n`;
    expect(() => output.sink('proxy').write(record('first'))).not.toThrow();
    expect(() => output.sink('proxy').write(record('second'))).not.toThrow();
    output.close();
    expect(shown).toEqual([
      expect.stringMatching(/^m2bbs: cannot write the log file \/dev\/full \(ENOSPC.*\); log lines are shown here only until it can\.\n$/),
      '03:04:05 proxy   first\n',
      '03:04:05 proxy   second\n',
    ]);
  });
});
