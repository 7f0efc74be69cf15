import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { logDatabaseOf } from './log-database';

describe("the database that holds a data directory's log", () => {
  const dir = (...dbs: string[]) => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'immudb-dir-'));
    for (const db of dbs) fs.mkdirSync(path.join(d, db));
    return d;
  };

  it('is the tuned log database for a new data directory', () => {
    expect(logDatabaseOf(dir())).toBe('bank');
    expect(logDatabaseOf(path.join(dir(), 'not-created-yet'))).toBe('bank');
  });

  it('stays defaultdb where ImmuDB ran before the log had a database of its own', () => {
    expect(logDatabaseOf(dir('systemdb', 'defaultdb'))).toBe('defaultdb');
  });

  it('is the log database once it exists', () => {
    expect(logDatabaseOf(dir('systemdb', 'defaultdb', 'bank'))).toBe('bank');
  });
});
