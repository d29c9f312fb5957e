import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InputLines, type LineInput } from '../client/input-lines.js';

/** Stdin as a terminal: a stream that records every raw-mode switch. */
function terminalInput(): { input: PassThrough & LineInput; raw: boolean[] } {
  const raw: boolean[] = [];
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: (on: boolean) => raw.push(on) });
  return { input, raw };
}

describe('InputLines on a terminal (the plain client)', () => {
  it('drops half a secret line when the next prompt echoes, and puts echo back on', async () => {
    const { input, raw } = terminalInput();
    const lines = new InputLines(input, () => {});
    try {
      void lines.next(true);
      input.write('hunt');
      await new Promise((resolve) => setImmediate(resolve));
      const name = lines.next(false);
      expect(raw).toEqual([true, false]);
      input.write('carol\n');
      expect(await name).toBe('carol');
    } finally {
      lines.close();
    }
  });

  it('keeps half a secret line when a secret prompt comes again', async () => {
    const { input, raw } = terminalInput();
    const lines = new InputLines(input, () => {});
    try {
      void lines.next(true);
      input.write('hunt');
      await new Promise((resolve) => setImmediate(resolve));
      const again = lines.next(true);
      input.write('er22\r');
      expect(await again).toBe('hunter22');
      expect(raw.at(-1)).toBe(false);
    } finally {
      lines.close();
    }
  });
});
