/**
 * The JSON log lines a sysop reads in a terminal (`tail -f data/m2bbs.log`): what a caller or a
 * client controls (a name, a Host header) never reaches that terminal as a control or a BiDi
 * override, and each line still reads back as the same record.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../common/log.js';

describe('a log line', () => {
  it('writes C1 controls, separators and format characters as \\u escapes, and reads back the same', () => {
    const lines: string[] = [];
    const log = createLogger('info', { write: (line: string) => lines.push(line) });
    const host = 'ev\u202eil\u009b2J\u007f\u2028\u200b\u{e0041}';
    log.warn('websocket refused', { host, name: 'zoë', note: 'tab\there' });
    const [line = ''] = lines;
    expect(line).not.toMatch(/[\u007f-\u009f\u2028\u202e\u200b]|[\u{e0000}-\u{e007f}]/u);
    expect(line).toContain('ev\\u202eil\\u009b2J\\u007f\\u2028\\u200b\\udb40\\udc41');
    expect(line).toContain('"name":"zoë"');
    expect(JSON.parse(line)).toMatchObject({ level: 'warn', msg: 'websocket refused', host, name: 'zoë', note: 'tab\there' });
  });
});
