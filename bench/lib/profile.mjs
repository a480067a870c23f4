// Reads V8 .cpuprofile files (node --cpu-prof) and lists where the time went: self time per
// function, and per package / project file, as shares of all samples.
import { readFileSync } from 'node:fs';

const ROOT = new URL('../..', import.meta.url).pathname;

function where(url) {
  if (!url) return '(native/V8)';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const rest = path.slice(nm + 14).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (path.startsWith('node:') || !path.startsWith('/'))
    return `node:${path.replace(/^node:/, '')}`;
  return path.startsWith(ROOT) ? path.slice(ROOT.length) : path;
}

/** Top `limit` functions by self time and the time per package/file, from one profile. */
export function summarizeProfile(file, limit = 25) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  let total = 0;
  const fns = new Map();
  const groups = new Map();
  for (const [id, us] of self) {
    const { callFrame: cf } = byId.get(id);
    const name = cf.functionName || '(anonymous)';
    if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') {
      const k = `${name}`;
      fns.set(k, { name: k, where: '', us: (fns.get(k)?.us ?? 0) + us });
      groups.set(k, (groups.get(k) ?? 0) + us);
      if (name !== '(idle)') total += us;
      continue;
    }
    total += us;
    const w = where(cf.url);
    const key = `${name} ${cf.url}:${cf.lineNumber}`;
    const entry = fns.get(key) ?? { name, where: `${w}:${cf.lineNumber + 1}`, us: 0 };
    entry.us += us;
    fns.set(key, entry);
    groups.set(w, (groups.get(w) ?? 0) + us);
  }
  const share = (us) => (100 * us) / total;
  return {
    busyMs: total / 1000,
    functions: [...fns.values()]
      .filter((f) => f.name !== '(idle)')
      .sort((a, b) => b.us - a.us)
      .slice(0, limit)
      .map((f) => ({ ...f, pct: share(f.us) })),
    groups: [...groups.entries()]
      .filter(([k]) => k !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, us]) => ({ name, pct: share(us) })),
  };
}

export function renderProfile(name, p) {
  const lines = [
    `### CPU profile: ${name} (${p.busyMs.toFixed(0)} ms busy)`,
    '',
    '| self % | function | where |',
    '| --- | --- | --- |',
  ];
  for (const f of p.functions) lines.push(`| ${f.pct.toFixed(1)} | ${f.name} | ${f.where} |`);
  lines.push('', '| self % | package / file |', '| --- | --- |');
  for (const g of p.groups) lines.push(`| ${g.pct.toFixed(1)} | ${g.name} |`);
  return lines.join('\n');
}
