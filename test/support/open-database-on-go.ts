/**
 * A process that says "ready", and on a line on stdin says "opening" and opens the database at
 * argv[2] as a backend does at start-up; then it prints "opened" or "failed: MESSAGE".
 */
import { openDatabase } from '../../db/open-database.js';

const file = process.argv[2] ?? '';
// Loads SQLite's native addon now, so that "opening" is followed by the open itself within microseconds.
openDatabase(':memory:').close();
process.stdin.once('data', () => {
  console.log('opening');
  try {
    openDatabase(file).close();
    console.log('opened');
  } catch (error) {
    console.log(`failed: ${(error as Error).message}`);
  }
  process.stdin.destroy();
});
console.log('ready');
