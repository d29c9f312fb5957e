/** `m2bbs screens check` on a folder whose areas.conf has mistakes: each named with its line, and a folder without the file passes. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { M2BBS_BIN } from './support/handler-process.js';
import { screenFolder } from './support/screen-folder.js';

function check(dir: string): { status: number | null; stdout: string } {
  const result = spawnSync(process.execPath, [M2BBS_BIN, 'screens', 'check', dir], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout };
}

describe('m2bbs screens check and areas.conf', () => {
  it('names every mistake in areas.conf with its line, and exits 1', () => {
    const folder = screenFolder();
    folder.write('areas.conf', '# The areas\ngeneral: General\ntech: Tech\nTech Talk: Tech talk\ntech: Again\ngear: Gear (was tech)\nlobby: Lobby (was general)\n');
    const result = check(folder.dir);
    expect(result.status).toBe(1);
    const areaLines = result.stdout.split('\n').filter((line) => line.startsWith(folder.path('areas.conf')));
    expect(areaLines).toEqual([
      `${folder.path('areas.conf')}:4: expected "name: Title" (or "new-name: Title (was old-name)" to rename), got "Tech Talk: Tech talk"`,
      `${folder.path('areas.conf')}:5: area tech again (it is on line 3)`,
      `${folder.path('areas.conf')}:6: area gear says it was tech, but tech is still listed (line 3): remove that line to rename`,
      `${folder.path('areas.conf')}:7: General cannot be renamed (give it another title instead: "general: Your title")`,
    ]);
  });

  it('passes a folder with good areas, and one without areas.conf (General alone)', () => {
    const folder = screenFolder();
    folder.write('areas.conf', 'tech: Technical talk\nhardware: Hardware (was gadgets)\ngeneral: The lobby\n');
    expect(check(folder.dir).status).toBe(0);
    folder.remove('areas.conf');
    expect(check(folder.dir).status).toBe(0);
  });
});
