import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'libsql';
import { StatementCache } from './sqlite-statements.js';

test('each SQL text is prepared once and its statement reused', () => {
  const db = new Database(':memory:');
  let prepared = 0;
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    prepared += 1;
    return prepare(sql);
  }) as typeof db.prepare;
  try {
    const cache = new StatementCache(db);
    cache.get('CREATE TABLE t (x INTEGER)').run();
    for (let i = 0; i < 5; i += 1) cache.get('INSERT INTO t (x) VALUES (?)').run(i);
    assert.equal(cache.get('SELECT COUNT(*) AS n FROM t').get() !== undefined, true);
    assert.equal((cache.get('SELECT SUM(x) AS s FROM t').get() as { s: number }).s, 10);
    assert.equal(prepared, 4);
  } finally {
    db.close();
  }
});
