/**
 * Idle connections for a memory reading: `count` calls, each answered once (so the server and its
 * handler both know the caller) and then silent, held until released.
 */
import type { Dial, Wire } from './caller.js';

/** The calls held, how many got their answer, and the way to hang them all up. */
export interface IdleCalls {
  readonly answered: number;
  release(): Promise<void>;
}

/** Dials `count` calls, 100 at a time, each waiting for its first prompt (`waitMs` at most). */
export async function holdIdle(dial: Dial, count: number, waitMs = 10_000): Promise<IdleCalls> {
  const wires: Wire[] = [];
  let open = 0;
  let answered = 0;
  for (let start = 0; start < count; start += 100) {
    const batch = Array.from({ length: Math.min(100, count - start) }, () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        const done = (): void => {
          clearTimeout(timer);
          resolve();
        };
        const ignore = (): void => undefined;
        let prompted = false;
        wires.push(
          dial({
            connected: () => void open++,
            replied: ignore,
            busy: ignore,
            exit: ignore,
            error: ignore,
            prompt: () => {
              if (!prompted) answered++;
              prompted = true;
              done();
            },
            closed: () => {
              open--;
              done();
            },
          }),
        );
      }),
    );
    await Promise.all(batch);
  }
  return {
    answered,
    async release() {
      for (const wire of wires) wire.hangUp();
      const giveUp = performance.now() + 10_000;
      while (open > 0 && performance.now() < giveUp) await new Promise((resolve) => setTimeout(resolve, 20));
    },
  };
}
