/**
 * Working out who the caller is from the conversation alone, since nothing on the wire says so.
 *
 * The rule: the first prompt of a call is the name prompt, and the caller's last answer to it is
 * the name they gave. They count as logged in once, after a secret (echo:false) prompt, two
 * prompts in a row have come that are neither secret nor the name prompt. One is not enough:
 * a new caller is asked "Sign up as alice? (Y/n)" between the two passwords, and a "no" there
 * leads back to the name prompt. A wrong password ends the call before any of this. Answers to
 * secret prompts are never looked at, let alone kept.
 */

/** A prompt as the name rule sees it. */
export interface PromptSeen {
  readonly msg: string;
  readonly pchar: string;
  readonly echo: boolean;
}

/** Follows one call's prompts and answers (a new call gets a new one) and names the caller once logged in. */
export class CallerName {
  private namePrompt: string | undefined;
  private atNamePrompt = false;
  private given: string | undefined;
  private secretSeen = false;
  private plainSince = 0;
  private confirmed: string | undefined;

  /** The caller's name once logged in, else undefined. */
  get name(): string | undefined {
    return this.confirmed;
  }

  /** A prompt arrived. */
  prompt(prompt: PromptSeen): void {
    if (this.confirmed !== undefined) return;
    const key = `${prompt.msg}\u0000${prompt.pchar}`;
    this.namePrompt ??= key;
    this.atNamePrompt = prompt.echo && key === this.namePrompt;
    if (!prompt.echo) {
      this.secretSeen = true;
      this.plainSince = 0;
    } else if (this.atNamePrompt) {
      this.secretSeen = false;
      this.plainSince = 0;
    } else if (this.secretSeen && ++this.plainSince >= 2 && this.given !== undefined) {
      this.confirmed = this.given;
    }
  }

  /** The caller answered the prompt that is showing. */
  answered(line: string): void {
    if (this.atNamePrompt && line.trim() !== '') this.given = line.trim();
    this.atNamePrompt = false;
  }
}
