/** `?` and `H` at a prompt that is not a menu: the caller asks what it takes. */

/** True for `?`, `h` or `H` (spaces around ignored): the caller asks what this prompt takes. */
export function asksHelp(answer: string): boolean {
  const word = answer.trim();
  return word === '?' || word === 'h' || word === 'H';
}
