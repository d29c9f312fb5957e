/**
 * What editing a long line costs the telnet door (server/doors/telnet-line-editor.ts): a burst of
 * a letter and Ctrl-W after a 4 KB word, and a letter and a backspace at 4 KB, each the proxy's
 * event loop time for one caller's bytes (every caller waits while it runs).
 * Run: `npx tsx bench/line-editor-cost.ts [ROUNDS]` (default 1000 Ctrl-W pairs, 30 times as many backspaces).
 */
import { TelnetLineEditor } from '../server/doors/telnet-line-editor.js';

function elapsedMs(run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const rounds = Number(process.argv[2] ?? 1000);
const ctrlW = new TelnetLineEditor(4096);
const burst = Buffer.concat([Buffer.from(`${'a'.repeat(4090)} `), Buffer.from('b\x17'.repeat(rounds))]);
const wordMs = elapsedMs(() => ctrlW.feed(burst));
const backspace = new TelnetLineEditor(65536);
backspace.feed(Buffer.from('a'.repeat(4000)));
const letter = Buffer.from('a');
const backspaceMs = elapsedMs(() => {
  for (let i = 0; i < rounds * 30; i++) {
    backspace.feed(letter);
    backspace.erase(1);
  }
});
console.log(`${rounds} x (b, Ctrl-W) after a 4 KB word: ${wordMs.toFixed(1)} ms of the proxy's event loop`);
console.log(`${rounds * 30} x (a, backspace) at 4 KB: ${backspaceMs.toFixed(1)} ms`);
