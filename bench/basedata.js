#!/usr/bin/env node
'use strict';
/**
 * Dictionary cache benchmark (in process, no database): what enum validation pays per
 * lookup, against a plain Map of arrays (the baseline, measured in the same run), and what
 * one committed dictionary write costs (applying its event and rebuilding the views on
 * the next lookup), for 200 dictionaries × 50 items.
 *
 * Env: BENCH_LOOKUPS (default 5,000,000), BENCH_WRITES (default 200).
 */
const { DictionaryCache } = require('../core/dist/basedata/dictionaries');

const DICTIONARIES = 200;
const ITEMS = 50;
const LOOKUPS = Number(process.env.BENCH_LOOKUPS || 5_000_000);
const WRITES = Number(process.env.BENCH_WRITES || 200);
const label = (s) => JSON.stringify({ 'zh-CN': s, en: s });

const dictionaries = [];
const items = [];
for (let d = 1; d <= DICTIONARIES; d++) {
  dictionaries.push({ id: d, version: 1, code: `dict${d}`, label: label(`d${d}`), description: null, enabled: 1 });
  for (let i = 1; i <= ITEMS; i++) items.push({ id: d * 1000 + i, version: 1, dictionary: d, code: `item${i}`, label: label(`i${i}`), sortOrder: i, enabled: 1, parent: null, color: null });
}
const db = { all: async (sql) => (sql.includes('plinth_dictionary_items') ? items : dictionaries) };

function time(fn) {
  const start = process.hrtime.bigint();
  const out = fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, out };
}

async function main() {
  const cache = new DictionaryCache(db);
  const load = process.hrtime.bigint();
  await cache.reload();
  const loadMs = Number(process.hrtime.bigint() - load) / 1e6;
  const codes = dictionaries.map((d) => d.code);
  const baseline = new Map(codes.map((c) => [c, Object.freeze(cache.values(c).slice())]));

  let sink = 0;
  const warm = (get) => { for (let i = 0; i < 200_000; i++) sink += get(codes[i % codes.length]).length; };
  warm((c) => baseline.get(c));
  warm((c) => cache.values(c));
  const base = time(() => { for (let i = 0; i < LOOKUPS; i++) sink += baseline.get(codes[i % codes.length]).length; });
  const cached = time(() => { for (let i = 0; i < LOOKUPS; i++) sink += cache.values(codes[i % codes.length]).length; });

  // One committed write, then the first lookup after it (which rebuilds the views).
  const write = time(() => {
    for (let w = 0; w < WRITES; w++) {
      const record = { id: 1001, version: 2 + w, dictionary: 1, code: 'item1', label: { 'zh-CN': 'x', en: 'x' }, sortOrder: w, enabled: true, parent: null, color: null };
      cache.apply({ event: 'dictionaryItem.updated', entity: 'dictionaryItem', id: 1001, record, actor: { userId: 1, username: 'bench' } });
      sink += cache.values('dict1').length;
    }
  });

  const rate = (r) => Math.round(LOOKUPS / (r.ms / 1000)).toLocaleString('en');
  console.log(`dictionary cache: ${DICTIONARIES} dictionaries × ${ITEMS} items (${items.length} items)`);
  console.log(`  load (from rows):             ${loadMs.toFixed(1)} ms`);
  console.log(`  values() lookups:             ${rate(cached)} /s`);
  console.log(`  baseline Map.get lookups:     ${rate(base)} /s`);
  console.log(`  ratio (cache / baseline):     ${(base.ms / cached.ms).toFixed(2)}`);
  console.log(`  write applied + next lookup:  ${(write.ms / WRITES).toFixed(2)} ms per write (rebuilds ${items.length} items' views)`);
  if (sink === 42) console.log('');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
