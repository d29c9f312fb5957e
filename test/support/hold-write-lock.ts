/**
 * A process that takes the write lock of the SQLite file at argv[2] (BEGIN IMMEDIATE, in the
 * rollback-journal mode of a new file), says "holding", and commits when a line comes on stdin,
 * as a backend in the middle of switching a new file to WAL holds it.
 */
import Database from 'better-sqlite3';

const db = new Database(process.argv[2] ?? '');
db.exec('BEGIN IMMEDIATE');
process.stdin.once('data', () => {
  db.exec('COMMIT');
  db.close();
  console.log('released');
  process.stdin.destroy();
});
console.log('holding');
