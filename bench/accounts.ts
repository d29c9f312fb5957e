/**
 * The callers a load run plays, and their accounts. On a BBS the bench starts itself, accounts
 * are put in the database beforehand with a cheap scrypt cost, so that 10,000 logins take
 * seconds; a few callers still sign up through the conversation, at the real cost.
 */
import { hashPassword } from '../db/password.js';
import { openDatabase } from '../db/open-database.js';
import { createStore } from '../db/store.js';

export const BENCH_PASSWORD = 'bench-password';
/** scrypt's cheapest sensible cost: the stored hash says it, so login checks it at this cost. */
const SEEDED_COST = { N: 16, r: 1, p: 1 } as const;

/** The name of caller `index`: letters and digits, at most 24 characters. */
export function callerName(prefix: string, index: number): string {
  return `${prefix}${index}`;
}

/** Names for callers who sign up in this run: new on every run, so never seeded or taken. */
export function signUpName(prefix: string, index: number): string {
  return `${prefix}n${Date.now().toString(36)}x${index}`.slice(0, 24);
}

/** Registers `names` (all with BENCH_PASSWORD) in the SQLite file `db`, creating it if needed. */
export async function seedAccounts(db: string, names: readonly string[]): Promise<void> {
  const hash = await hashPassword(BENCH_PASSWORD, SEEDED_COST);
  const store = createStore(openDatabase(db));
  try {
    const now = Date.now();
    for (const name of names) store.createCaller(name, hash, now);
  } finally {
    store.close();
  }
}
