/**
 * Turns of the event loop, counted: lines that reach the engine in one turn were all sent before
 * any reply made in that turn went out, so past the first each was typed ahead of its prompt,
 * however quickly the flow takes it (else one write of 5,000 "2"s makes 5,000 pages of the board).
 */
export class TurnClock {
  private turn = 0;
  private ending = false;
  private readonly next = (): void => {
    this.turn++;
    this.ending = false;
  };

  /** The number of the turn running now; the next one gets another. */
  current(): number {
    if (!this.ending) {
      this.ending = true;
      setImmediate(this.next);
    }
    return this.turn;
  }
}
