// Medians, ratios against the peers of the same run, the issue's targets, and the Markdown table.

const median = (values) => {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
};

function summarizeSamples(samples) {
  if (!samples || samples.length === 0) return null;
  const rps = samples.map((s) => s.rps);
  const med = median(rps);
  return {
    rps: med,
    p50: median(samples.map((s) => s.p50)),
    p99: median(samples.map((s) => s.p99)),
    cpuUsPerReq: median(samples.map((s) => s.cpuUsPerReq)),
    rate: samples[0].rate,
    // Spread of req/s over the rounds: a noise indicator.
    spreadPct: med ? ((Math.max(...rps) - Math.min(...rps)) / med) * 100 : null,
    non2xx: samples.reduce((a, s) => a + s.non2xx, 0),
    errors: samples.reduce((a, s) => a + s.errors, 0),
    requests: samples.reduce((a, s) => a + s.requests, 0),
    rounds: samples,
  };
}

const PEERS = ['direct', 'nginx', 'fastify-proxy', 'fast-gateway', 'express', 'express-full'];

/** The targets of the issue, checked on this run's figures. */
function checks(byName) {
  const rps = (n) => (byName[n]?.status === 'ok' ? byName[n].saturation?.rps : null);
  const ratio = (a, b, min, label) => {
    const x = rps(a);
    const y = rps(b);
    if (x == null || y == null) {
      return { label, status: 'n/a', detail: `${x == null ? a : b} not measured` };
    }
    const r = x / y;
    return {
      label,
      status: r >= min ? 'pass' : 'MISS',
      value: r,
      detail: `${r.toFixed(2)}x (target >= ${min}x)`,
    };
  };
  const out = [
    ratio('full-stack', 'fast-gateway', 1.0, 'full-stack >= 1.0x fast-gateway (no auth)'),
    ratio('full-stack', 'fastify-proxy', 1.0, 'full-stack >= 1.0x @fastify/http-proxy (no auth)'),
    ratio('full-stack', 'express-full', 2.5, 'full-stack >= 2.5x Express gateway, same features'),
    ratio('full-stack', 'nginx', 0.35, 'full-stack >= 0.35x nginx'),
    ratio('cache-hit', 'passthrough', 2.0, 'cache hit >= 2x pass-through'),
    ratio('full-stack-redis', 'full-stack', 0.8, 'Redis limits >= 0.8x in-memory'),
  ];
  const agg = byName.aggregation;
  const aggP50 = agg?.fixedRate?.p50 ?? null;
  out.push(
    aggP50 == null
      ? {
          label: 'aggregation p50 <= slowest (25 ms) + 2 ms',
          status: 'n/a',
          detail: 'aggregation not measured at a fixed rate',
        }
      : {
          label: 'aggregation p50 <= slowest (25 ms) + 2 ms',
          status: aggP50 <= 27 ? 'pass' : 'MISS',
          value: aggP50,
          detail: `p50 ${aggP50.toFixed(2)} ms at the fixed rate (saturated: ${agg.saturation.p50.toFixed(2)} ms)`,
        },
  );
  for (const t of Object.values(byName)) {
    if (t.kind !== 'bff' || t.status !== 'ok') continue;
    out.push({
      label: `${t.name} peak RSS <= 150 MB under load`,
      status: t.peakRssMb <= 150 ? 'pass' : 'MISS',
      value: t.peakRssMb,
      detail: `${t.peakRssMb.toFixed(0)} MB`,
    });
  }
  return out;
}

export function summarize(machine, settings, entries) {
  const targets = entries.map((e) => {
    const base = { name: e.target.name, kind: e.target.kind, title: e.target.title };
    if (!e.proc) return { ...base, status: 'n/a', reason: e.reasons.join(' | ') };
    return {
      ...base,
      status: 'ok',
      route: e.candidate.label,
      path: e.path,
      expectStatus: e.target.expect ?? 200,
      saturation: summarizeSamples(e.samples.sat),
      fixedRate: summarizeSamples(e.samples.fixed),
      peakRssMb: e.stats.peakRssMb,
      // The upstream is shared by every target: its RSS is not that of a gateway.
      sharedProcess: Boolean(e.proc.shared),
    };
  });
  const byName = Object.fromEntries(targets.map((t) => [t.name, t]));
  const ratios = {};
  for (const t of targets) {
    if (t.kind !== 'bff' || t.status !== 'ok') continue;
    ratios[t.name] = {};
    for (const p of PEERS) {
      const peer = byName[p];
      ratios[t.name][p] = peer?.status === 'ok' ? t.saturation.rps / peer.saturation.rps : null;
    }
  }
  return { machine, settings, targets, ratios, checks: checks(byName) };
}

const f = (v, digits = 0) => (v == null ? '–' : v.toFixed(digits));
const row = (cells) => `| ${cells.join(' | ')} |`;

function header(r, title) {
  const m = r.machine;
  const s = r.settings;
  return [
    `# ${title}`,
    '',
    `- date: ${m.date}`,
    `- machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB; ${m.os}`,
    `- Node ${m.node} for every Node process; commit ${m.commit}`,
    `- load: ${m.tool}, ${s.connections} connections, ${s.threads} thread(s), ${s.durationS} s per measurement, ` +
      `${s.rounds} interleaved round(s), medians; fixed-rate runs at ${s.rate} req/s (open loop, capped at half a target's saturated req/s)` +
      (m.upstreamBodyBytes ? `; upstream body ${m.upstreamBodyBytes} B` : ''),
    `- load average at start / end: ${m.loadAvgAtStart} / ${m.loadAvgAtEnd} (other work on the machine makes figures noisy)`,
    '',
  ];
}

export function renderMarkdown(r) {
  const lines = header(r, 'BFF benchmark');
  lines.push(
    row([
      'target',
      'req/s',
      'spread',
      'p50 ms',
      'p99 ms',
      'fixed rate/s',
      'p50 ms @rate',
      'p99 ms @rate',
      'peak RSS MB',
      'CPU µs/req',
      'non-2xx',
      'what',
    ]),
    row(Array(12).fill('---')),
  );
  for (const t of r.targets) {
    if (t.status !== 'ok') {
      lines.push(row([t.name, 'n/a', ...Array(9).fill(''), `${t.title} — n/a (${t.reason})`]));
      continue;
    }
    const s = t.saturation;
    const x = t.fixedRate;
    const unexpected = t.expectStatus === 200 ? s.non2xx + s.errors : s.errors;
    lines.push(
      row([
        t.kind === 'bff' ? `**${t.name}**` : t.name,
        f(s.rps),
        `${f(s.spreadPct)}%`,
        f(s.p50, 2),
        f(s.p99, 2),
        x?.rate == null ? '–' : String(x.rate),
        f(x?.p50, 2),
        f(x?.p99, 2),
        t.sharedProcess ? `(${f(t.peakRssMb)})` : f(t.peakRssMb),
        f(s.cpuUsPerReq),
        t.expectStatus === 200
          ? String(s.non2xx + s.errors)
          : `${s.non2xx} (expected ${t.expectStatus})`,
        `${t.title}${t.route && t.route !== t.title ? ` [${t.route}]` : ''}${unexpected > 0 ? ' **(errors!)**' : ''}`,
      ]),
    );
  }
  const bffs = Object.keys(r.ratios);
  if (bffs.length > 0) {
    const peers = PEERS.filter((p) => bffs.some((b) => r.ratios[b][p] != null));
    lines.push('', '## req/s ratios (same run): BFF scenario / peer', '');
    lines.push(row(['scenario', ...peers]), row(Array(peers.length + 1).fill('---')));
    for (const b of bffs)
      lines.push(
        row([
          b,
          ...peers.map((p) => (r.ratios[b][p] == null ? '–' : `${r.ratios[b][p].toFixed(2)}x`)),
        ]),
      );
  }
  lines.push(
    '',
    '## Targets (issue 9)',
    '',
    row(['target', 'result', 'figure']),
    row(['---', '---', '---']),
  );
  for (const c of r.checks) lines.push(row([c.label, c.status, c.detail]));
  lines.push(
    '',
    'req/s, p50, p99: wrk at saturation (closed loop), median of the rounds; spread = (max - min) / median of req/s. ' +
      "p50/p99 @rate: open-loop generator at a fixed rate (--rate, capped at half the target's first-round req/s), latency from the scheduled send time (queueing included). " +
      'Peak RSS: VmHWM of the process under test (nginx: master + worker; direct: the shared upstream, in parentheses). ' +
      'CPU µs/req: user + system CPU of the process under test per request (less sensitive to other load than req/s).',
  );
  return lines.join('\n');
}

export function renderSoak(r) {
  const lines = header(
    r,
    `BFF soak: ${r.soak.target} for ${r.settings.soakS >= 120 ? `${Math.round(r.settings.soakS / 60)} min` : `${r.settings.soakS} s`}`,
  );
  const s = r.soak.samples;
  const warm = s.find((x) => x.t >= r.settings.soakS * 0.1) ?? s[0];
  const last = s[s.length - 1];
  const maxRss = Math.max(...s.map((x) => x.rssMb));
  const growth = last.rssMb - warm.rssMb;
  const flat = growth <= Math.max(10, warm.rssMb * 0.1);
  lines.push(
    `- route: ${r.soak.route}; ${Math.round(r.soak.load.rps)} req/s, p50 ${f(r.soak.load.p50, 2)} ms, p99 ${f(r.soak.load.p99, 2)} ms, ` +
      `non-2xx ${r.soak.load.non2xx}, errors ${r.soak.load.errors}`,
    `- RSS after warm-up (t=${warm.t} s): ${f(warm.rssMb, 1)} MB; at the end: ${f(last.rssMb, 1)} MB; max ${f(maxRss, 1)} MB; ` +
      `growth ${f(growth, 1)} MB -> ${flat ? 'flat' : 'GROWING'}; peak (VmHWM) ${f(last.peakRssMb, 1)} MB ` +
      `(${last.peakRssMb <= 150 ? 'pass' : 'MISS'}: target <= 150 MB)`,
    '',
    row(['t (s)', 'RSS MB']),
    row(['---', '---']),
    ...s.map((x) => row([String(x.t), f(x.rssMb, 1)])),
  );
  return lines.join('\n');
}
