import { chromium } from 'playwright-core';
import { startPageDevServer } from './page-dev-server.js';

const bbs = await startPageDevServer();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1024, height: 640 } });
page.on('console', (m) => console.log('console', m.type(), m.text()));
page.on('pageerror', (e) => console.log('pageerror', e.message));
const read = () => page.evaluate(() => {
  const b = (globalThis as any).m2bbsTerminal.buffer.active; const out: string[] = [];
  for (let i = 0; i < b.length; i++) out.push(b.getLine(i).translateToString(true));
  return out.join('\n').replace(/\n+$/, '');
});
const waitFor = (t: string, n = 1) => page.waitForFunction(([t, n]) => {
  const b = (globalThis as any).m2bbsTerminal.buffer.active; let s = '';
  for (let i = 0; i < b.length; i++) s += b.getLine(i).translateToString(true) + '\n';
  return s.split(t as string).length > (n as number);
}, [t, n] as const);
await page.goto(bbs.httpUrl);
await waitFor("What's your name?");
await page.keyboard.type('web_caller'); await page.keyboard.press('Enter');
await waitFor("What's your password?");
await page.keyboard.type('secret-pw');
console.log('textarea during password:', JSON.stringify(await page.evaluate(() => (globalThis as any).m2bbsTerminal.textarea.value)));
await page.keyboard.press('Enter');
await waitFor('Sign up'); await page.keyboard.type('y'); await page.keyboard.press('Enter');
await waitFor('Type the same'); await page.keyboard.type('secret-pw'); await page.keyboard.press('Enter');
await waitFor('continue?'); await page.keyboard.press('Enter');
await waitFor('MAIN MENU'); await page.keyboard.type('1'); await page.keyboard.press('Enter');
await waitFor(' 1> ');
// wide characters then backspace; arrows and F-keys ignored
await page.keyboard.type('漢字かな😀');
await page.keyboard.press('ArrowLeft'); await page.keyboard.press('F1'); await page.keyboard.press('Tab');
await page.keyboard.press('Backspace'); await page.keyboard.press('Backspace');
await page.waitForTimeout(200);
console.log('after wide backspace:', JSON.stringify((await read()).split('\n').at(-1)));
await page.keyboard.press('Control+U');
// a long line that wraps, then backspace across the wrap
await page.keyboard.type('x'.repeat(200) + 'yz');
await page.setViewportSize({ width: 700, height: 500 });
await page.waitForTimeout(300);
await page.keyboard.press('Backspace'); await page.keyboard.press('Backspace'); await page.keyboard.press('Backspace');
await page.waitForTimeout(200);
console.log('after wrap backspace:', JSON.stringify((await read()).split('\n').slice(-4)));
await page.keyboard.press('Control+U');
await page.keyboard.type('first line');
await page.keyboard.press('Enter');
await waitFor(' 2> ');
// paste two lines and the terminator at once
await page.evaluate(() => (globalThis as any).m2bbsTerminal.paste('pasted two\npasted three\n.\n'));
await waitFor('Your message is on the board');
await page.keyboard.type('2'); await page.keyboard.press('Enter');
await waitFor('MAIN MENU', 3);
await page.setViewportSize({ width: 1024, height: 640 });
await page.waitForTimeout(300);
await page.screenshot({ path: '/tmp/m2bbs-page.png' });
console.log((await read()).split('\n').slice(-22).join('\n'));
await page.setViewportSize({ width: 380, height: 600 });
await page.waitForTimeout(300);
await page.screenshot({ path: '/tmp/pagecheck/narrow.png' });
await browser.close();
await bbs.close();
