/**
 * A reply's quote of the message it answers (the `>` lines handler/flows/quote.ts writes first),
 * taken out when that message is deleted: by the sysop's delete, and by a reply posted after it.
 */

/** The line a quote of a deleted message is replaced by in the replies that quoted it. */
export const QUOTE_REMOVED = '> (the message quoted here was deleted)';

/** `body` of a reply with its leading quote (`>` lines, as handler/flows/quote.ts writes them) replaced by QUOTE_REMOVED. */
export function withoutQuote(body: string): string {
  const lines = body.split('\n');
  let quoted = 0;
  while (quoted < lines.length && /^>( |$)/.test(lines[quoted] ?? '')) quoted++;
  return quoted === 0 ? body : [QUOTE_REMOVED, ...lines.slice(quoted)].join('\n');
}
