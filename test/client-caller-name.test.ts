import { describe, expect, it } from 'vitest';
import { CallerName } from '../client/caller-name.js';

const NAME = { msg: "What's your name? (new callers: pick one)", pchar: '> ', echo: true };
const PASSWORD = { msg: "What's your password?", pchar: '> ', echo: false };
const SIGN_UP = { msg: 'Sign up as alice? (Y/n)', pchar: '> ', echo: true };
const REPEAT = { msg: 'Type the same password again, to be sure.', pchar: '> ', echo: false };
const MOTD = { msg: 'Do you want to continue? (Y/n)', pchar: '> ', echo: true };
const MENU = { msg: '', pchar: '> ', echo: true };

type Step = typeof NAME | string;

/** Plays prompts (objects) and answers (strings); returns the name after each step. */
function play(steps: Step[]): (string | undefined)[] {
  const names = new CallerName();
  return steps.map((step) => {
    if (typeof step === 'string') names.answered(step);
    else names.prompt(step);
    return names.name;
  });
}

describe('CallerName', () => {
  it('names a caller who logs in once the menu follows the MOTD', () => {
    const seen = play([NAME, ' alice ', PASSWORD, 'secret', MOTD, 'y', MENU]);
    expect(seen.slice(0, -1).every((name) => name === undefined)).toBe(true);
    expect(seen.at(-1)).toBe('alice');
  });

  it('names a new caller only after signing up, not at the sign-up question', () => {
    const seen = play([NAME, 'alice', PASSWORD, 'secret', SIGN_UP, 'y', REPEAT, 'secret', MOTD, 'y', MENU]);
    expect(seen.indexOf('alice')).toBe(seen.length - 1);
  });

  it('takes the second name when the caller declines to sign up as the first', () => {
    const seen = play([NAME, 'alice', PASSWORD, 'x', SIGN_UP, 'n', NAME, 'bob', PASSWORD, 'x', SIGN_UP, 'y', REPEAT, 'x', MOTD, '', MENU]);
    expect(seen.slice(0, -1)).not.toContain('alice');
    expect(seen.at(-1)).toBe('bob');
  });

  it('names nobody when passwords keep differing or the call ends at the password', () => {
    expect(play([NAME, 'alice', PASSWORD, 'a', SIGN_UP, 'y', REPEAT, 'b', PASSWORD, 'c', REPEAT, 'd'])).not.toContain('alice');
    expect(play([NAME, 'alice', PASSWORD, 'wrong'])).not.toContain('alice');
  });

  it('keeps the name given last when a bad name is asked again', () => {
    expect(play([NAME, 'x', NAME, 'carol', PASSWORD, 'p', MOTD, 'y', MENU]).at(-1)).toBe('carol');
  });

  it('never takes an answer to a secret prompt as the name', () => {
    const names = new CallerName();
    names.prompt(PASSWORD);
    names.answered('hunter22');
    names.prompt(MOTD);
    names.answered('y');
    names.prompt(MENU);
    expect(names.name).toBeUndefined();
  });

  it('keeps the name for the rest of the call', () => {
    const names = new CallerName();
    for (const step of [NAME, 'dave', PASSWORD, 'p', MOTD, 'y', MENU, '1', PASSWORD, 'x', NAME] as Step[]) {
      if (typeof step === 'string') names.answered(step);
      else names.prompt(step);
    }
    expect(names.name).toBe('dave');
  });
});
