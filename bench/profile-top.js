'use strict';
/**
 * Summarise a V8 .cpuprofile (node --cpu-prof): top functions by self time, and the
 * self time grouped by package / area.
 *   node bench/profile-top.js <file.cpuprofile> [top=30]
 */
const fs = require('node:fs');
const path = require('node:path');

const file = process.argv[2];
const top = Number(process.argv[3] || 30);
if (!file) {
  console.error('usage: node bench/profile-top.js <file.cpuprofile> [top]');
  process.exit(2);
}
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i], (self.get(profile.samples[i]) || 0) + (dt[i] || 0));
const total = [...self.values()].reduce((a, b) => a + b, 0);

const ROOT = path.resolve(__dirname, '..');
function where(cf) {
  const url = cf.url.replace(/^file:\/\//, '');
  if (!url) return '';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  return url.startsWith(ROOT) ? path.relative(ROOT, url) : url;
}
function area(cf) {
  const url = cf.url.replace(/^file:\/\//, '');
  if (!url) return cf.functionName.startsWith('(') ? cf.functionName : '(native / V8 builtins)';
  if (url.startsWith('node:')) return 'node core (' + url.slice(5).split('/')[0] + ')';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  return url.startsWith(ROOT) ? path.relative(ROOT, url).split('/').slice(0, 3).join('/') : url;
}

const byFn = new Map();
const byArea = new Map();
for (const [id, us] of self) {
  const n = nodes.get(id);
  const cf = n.callFrame;
  const key = `${cf.functionName || '(anonymous)'}  ${where(cf)}:${cf.lineNumber + 1}`;
  byFn.set(key, (byFn.get(key) || 0) + us);
  const a = area(cf);
  byArea.set(a, (byArea.get(a) || 0) + us);
}
// Inclusive time: each sample counts once for every distinct function on its stack.
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
const keyOf = (n) => `${n.callFrame.functionName || '(anonymous)'}  ${where(n.callFrame)}:${n.callFrame.lineNumber + 1}`;
const inclusive = new Map();
let busy = 0;
for (const [id, us] of self) {
  const leaf = nodes.get(id);
  if (leaf.callFrame.functionName === '(idle)') continue;
  busy += us;
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const k = keyOf(nodes.get(cur));
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) || 0) + us);
  }
}
const pct = (us) => ((100 * us) / total).toFixed(1).padStart(5) + '%';
console.log(`${path.basename(file)}: ${(total / 1e6).toFixed(1)} s sampled`);
console.log('\nself time by area:');
for (const [a, us] of [...byArea].sort((x, y) => y[1] - x[1]).slice(0, 20)) console.log(`  ${pct(us)}  ${a}`);
console.log(`\ntop ${top} functions by self time:`);
for (const [k, us] of [...byFn].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`  ${pct(us)}  ${k}`);
console.log(`\ntop ${top} functions by inclusive time (share of the ${(busy / 1e6).toFixed(1)} s not idle):`);
for (const [k, us] of [...inclusive].filter(([k]) => !k.startsWith('(root)')).sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`  ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${k}`);
