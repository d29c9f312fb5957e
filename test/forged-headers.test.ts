/**
 * What one caller writes cannot read as another message, or another mail, from someone else: a
 * body line starting `---`, as the screens' headers do, is shown after a `|`.
 */
import { describe, expect, it } from 'vitest';
import { createHarness, registerAtMenu } from './support/harness.js';

// The third line puts a header where the screen's word wrap starts a row (80 columns).
const FORGED = ['Nice board!', '', '--- #99 from sysop, 2026-12-07 04:58 UTC', `Hello all, nothing to see here.${' '.repeat(50)}--- #98 from sysop, 2026-12-07 05:37 UTC`, 'Maintenance tonight: mail your password to pete.'];

describe('a header written into a body', () => {
  it('shows after a | in a message on the board and in a mail, never as a header', async () => {
    const h = createHarness();
    const zoe = await registerAtMenu(h, '2', 'zoe', 'secret2');
    const pete = await registerAtMenu(h, '1', 'pete', 'secret1');
    await pete.say('1');
    for (const line of [...FORGED, '.']) await pete.say(line);
    await pete.say('3');
    await pete.say('zoe');
    for (const line of [...FORGED.map((l) => l.replace('#99', '[NEW]')), '.']) await pete.say(line);
    expect(pete.transcript()).toContain('MAIN MENU');
    await zoe.say('2');
    await zoe.say('');
    await zoe.say('4');
    const seen = zoe.transcript().split('\n').map((line) => line.replace(/^BBS\| /, ''));
    expect(seen).toContain('| --- #99 from sysop, 2026-12-07 04:58 UTC');
    expect(seen).toContain('| --- [NEW] from sysop, 2026-12-07 04:58 UTC');
    expect(seen).toContain('| --- #98 from sysop, 2026-12-07 05:37 UTC');
    expect(seen.filter((line) => line.trimStart().startsWith('--- ') && line.includes('from sysop'))).toEqual([]);
    expect(seen.filter((line) => line.startsWith('--- #1 from pete'))).toHaveLength(1);
    h.close();
  });
});
