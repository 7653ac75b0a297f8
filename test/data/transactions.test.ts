import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';

/** A promise and the function that settles it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describeEachDatabase('transactions take their connection at their first statement', (db) => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform(db, { plugins: [] });
    await t.platform.db.run('CREATE TABLE scratch_tx (id INTEGER PRIMARY KEY, v VARCHAR(20))');
  });
  afterAll(async () => t?.stop());

  it('transactions still waiting for work before their first statement hold up no one', async () => {
    const database = t.platform.db;
    const g = gate();
    // More than the pool's connections (8 in tests) and, on the embedded database, more than its one writer.
    const waiting = Array.from({ length: 12 }, (_, i) =>
      database.transaction(async (tx) => {
        await g.opened;
        await tx.run('INSERT INTO scratch_tx (id, v) VALUES (?, ?)', [100 + i, `late${i}`]);
        return i;
      }),
    );
    // Would wait for the gate (and so never finish) if those transactions held connections or the writer.
    await database.run('INSERT INTO scratch_tx (id, v) VALUES (?, ?)', [1, 'first']);
    await database.transaction((tx) => tx.run('INSERT INTO scratch_tx (id, v) VALUES (?, ?)', [2, 'second']));
    expect((await database.all<{ v: string }>('SELECT v FROM scratch_tx ORDER BY id')).map((r) => r.v)).toEqual(['first', 'second']);
    g.open();
    expect(await Promise.all(waiting)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(await database.all('SELECT id FROM scratch_tx WHERE id >= 100')).toHaveLength(12);
  });

  it('all or nothing once begun; a transaction that ran nothing commits nothing and runs its after-commit callbacks', async () => {
    const database = t.platform.db;
    const failed = await database
      .transaction(async (tx) => {
        await tx.run('INSERT INTO scratch_tx (id, v) VALUES (?, ?)', [200, 'rolled back']);
        throw new Error('boom');
      })
      .catch((e: Error) => e.message);
    expect(failed).toBe('boom');
    expect(await database.all('SELECT id FROM scratch_tx WHERE id = 200')).toEqual([]);

    const calls: string[] = [];
    expect(await database.transaction(async (tx) => (tx.afterCommit(() => calls.push('committed')), 'idle'))).toBe('idle');
    expect(calls).toEqual(['committed']);
    await expect(database.transaction(async () => Promise.reject(new Error('early')))).rejects.toThrow('early');
    // Nothing was left open: the next transaction works as usual.
    await database.transaction((tx) => tx.run('INSERT INTO scratch_tx (id, v) VALUES (?, ?)', [201, 'after']));
    expect(await database.all('SELECT id FROM scratch_tx WHERE id = 201')).toHaveLength(1);
  });
});
