import { it } from 'vitest';
import { KEY, ScreenDouble } from './support/screen-double.js';
import { startTestBbs } from './support/test-bbs.js';
it('debug', async () => {
  const bbs = await startTestBbs();
  const term = new ScreenDouble({ host: '127.0.0.1', port: bbs.frontPort, route: '@bbs', colour: true, dialTimeoutMs: 10_000 }, 100, 30);
  await term.shows("What's your name?");
  for (const k of ['zed', 'pw123456', 'y', 'pw123456', '', '1', 'hello there', '.', '2', '2', '2']) { term.type(k, KEY.enter); await term.press(); await new Promise(r => setTimeout(r, 100)); }
  await term.until(() => term.inputRow() === '>');
  const rows = term.ui.snapshot();
  console.log(rows.map(r => r.length).join(','));
  await term.press(KEY.pageUp);
  console.log(term.text());
  term.type(KEY.ctrlC);
  await term.ui.done;
  await bbs.close();
});
