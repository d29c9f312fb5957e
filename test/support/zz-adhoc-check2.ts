import { chromium } from 'playwright-core';
import { startPageDevServer } from './page-dev-server.js';

const bbs = await startPageDevServer();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1024, height: 640 } });
page.on('pageerror', (e) => console.log('pageerror', e.message));
const read = () => page.evaluate(() => {
  const t = (globalThis as any).m2bbsTerminal; const b = t.buffer.active; const out: string[] = [`cols=${t.cols} rows=${t.rows} cursor=${b.cursorX},${b.cursorY} base=${b.baseY}`];
  for (let i = Math.max(0, b.length - 6); i < b.length; i++) { const l = b.getLine(i); out.push(`${i}${l.isWrapped ? 'w' : ' '} ${l.translateToString(true).length} ${JSON.stringify(l.translateToString(true).slice(0, 20))}`); }
  return out.join('\n');
});
const waitFor = (t: string, n = 1) => page.waitForFunction(([t, n]) => {
  const b = (globalThis as any).m2bbsTerminal.buffer.active; let s = '';
  for (let i = 0; i < b.length; i++) s += b.getLine(i).translateToString(true) + '\n';
  return s.split(t as string).length > (n as number);
}, [t, n] as const);
await page.goto(bbs.httpUrl);
for (const [w, a] of [["What's your name?", 'web_caller'], ["password?", 'secret-pw'], ['Sign up', 'y'], ['Type the same', 'secret-pw'], ['continue?', ''], ['MAIN MENU', '1']] as const) {
  await waitFor(w); await page.keyboard.type(a); await page.keyboard.press('Enter');
}
await waitFor(' 1> ');
await page.keyboard.type('x'.repeat(200) + 'yz');
await page.waitForTimeout(200);
console.log('typed\n' + await read());
await page.setViewportSize({ width: 700, height: 500 });
await page.waitForTimeout(300);
console.log('resized\n' + await read());
await page.keyboard.press('Backspace');
await page.waitForTimeout(200);
console.log('bs1\n' + await read());
await page.keyboard.press('Backspace'); await page.keyboard.press('Backspace');
await page.waitForTimeout(200);
console.log('bs3\n' + await read());
await browser.close();
await bbs.close();
