import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BffAppName } from '@app/config';
import { type BffProcess, listeningUrl, spawnBff } from './support/bff-process';
import { freePort, until } from './support/redis-server';
import { SHARED_REDIS_URL } from './support/shared-redis';
import { type Sandbox, startSandbox } from './support/stack';
import { readYaml } from './support/yaml';

/*
 * deploy/prometheus and deploy/grafana against the real BFFs: the alert rules' own unit tests
 * (promtool), every metric the rules and the dashboard query is one the BFFs export, and a real
 * Prometheus on loopback scraping the three BFFs (three processes), loading the rules and
 * answering queries for each app's request metrics and for every dashboard expression.
 * promtool and prometheus come from the Debian package `prometheus` (.ci/run installs it); without
 * them those tests are skipped, the metric check still runs.
 */

const ROOT = resolve(__dirname, '..');
const RULES = join(ROOT, 'deploy/prometheus/bff.rules.yml');
const RULE_TESTS = join(ROOT, 'deploy/prometheus/bff.rules.test.yml');
const DASHBOARD = join(ROOT, 'deploy/grafana/bff-dashboard.json');
const APPS: readonly BffAppName[] = ['web-bff', 'mobile-bff', 'admin-bff'];

const installed = (command: string): boolean =>
  spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
const withPromtool = installed('promtool') ? it : it.skip;
const withPrometheus = installed('prometheus') ? it : it.skip;

interface RuleFile {
  groups: { name: string; rules: { record?: string; alert?: string; expr: string }[] }[];
}
interface Dashboard {
  panels: { title: string; targets?: { expr: string }[] }[];
}

const ruleExprs = (readYaml(RULES) as RuleFile).groups.flatMap((g) => g.rules.map((r) => r.expr));
const dashboardExprs = (JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard).panels.flatMap(
  (p) => (p.targets ?? []).map((t) => t.expr),
);

/** Metric names in a PromQL expression: ours and the process ones, not recorded `a:b:c` names. */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/(?<![\w:])((?:bff|nodejs|process)_[a-z0-9_]+)(?![\w:])/g)].map(
    (m) => m[1],
  );
}

/** Names a /metrics text exports, with the series names of its histograms and summaries. */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = match;
    names.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_count', '_sum']) names.add(name + s);
    if (type === 'summary') for (const s of ['_count', '_sum']) names.add(name + s);
  }
  return names;
}

/** Grafana's variables, replaced by what they become for an "All" selection. */
const asPromQl = (expr: string): string =>
  expr.replaceAll('$__rate_interval', '1m').replaceAll('$app', '.*');

describe('deploy/prometheus and deploy/grafana', () => {
  let sandbox: Sandbox;
  const bffs = new Map<BffAppName, { proc: BffProcess; url: string }>();
  const started: BffProcess[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox();
    const prefix = `bff-mon-${randomUUID()}:`;
    const procs = APPS.map((app) => {
      const proc = spawnBff(app, sandbox, {
        LOG_LEVEL: 'info', // the 'listening on' line is an info line
        LOG_REQUESTS: 'false',
        REDIS_URL: SHARED_REDIS_URL,
        RATE_LIMIT_KEY_PREFIX: `${prefix}rl:`,
        CACHE_KEY_PREFIX: `${prefix}cache:`,
        // Readiness on Redis and the sandbox only, answered fresh at each probe.
        HEALTH_CACHE_MS: '0',
      });
      started.push(proc);
      return { app, proc };
    });
    // Compiled from source at start: slow on a loaded machine.
    for (const { app, proc } of procs) {
      bffs.set(app, { proc, url: await listeningUrl(proc, 120_000) });
    }
    // Traffic, so request series exist, and a probe each, so bff_ready has a value.
    const paths: Record<BffAppName, string> = {
      'web-bff': '/products/prd_0001',
      'mobile-bff': '/v1/products/prd_0001',
      'admin-bff': '/users?q=a',
    };
    for (const app of APPS) {
      const { url } = bffs.get(app)!;
      for (const path of [paths[app], '/health/ready']) {
        const res = await fetch(`${url}${path}`);
        await res.arrayBuffer();
        expect({ app, path, status: res.status }).toEqual({
          app,
          path,
          status: path === '/users?q=a' ? 401 : 200,
        });
      }
    }
  }, 180_000);

  afterAll(async () => {
    for (const proc of started) {
      if (proc.child.exitCode === null && proc.child.signalCode === null) {
        proc.child.kill('SIGTERM');
        await proc.exited;
      }
    }
    await sandbox?.close();
  }, 60_000);

  withPromtool('promtool: the rules are valid and pass their unit tests', () => {
    const check = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    expect({ status: check.status, out: check.stdout + check.stderr }).toEqual({
      status: 0,
      out: expect.stringContaining('SUCCESS'),
    });
    const test = spawnSync('promtool', ['test', 'rules', RULE_TESTS], {
      encoding: 'utf8',
      cwd: join(ROOT, 'deploy/prometheus'),
    });
    expect({ status: test.status, out: test.stdout + test.stderr }).toEqual({
      status: 0,
      out: expect.stringContaining('SUCCESS'),
    });
  });

  it('queries only metrics the BFFs export (rules and dashboard)', async () => {
    const exported = new Map<BffAppName, Set<string>>();
    for (const app of APPS) {
      const text = await (await fetch(`${bffs.get(app)!.url}/metrics`)).text();
      exported.set(app, exportedNames(text));
    }
    const union = new Set([...exported.values()].flatMap((s) => [...s]));
    const queried = [...new Set([...ruleExprs, ...dashboardExprs].flatMap(metricNames))].sort();
    expect(queried.length).toBeGreaterThan(15);
    expect(queried.filter((name) => !union.has(name))).toEqual([]);
    // The RED metrics (and the SLO rules built on them) exist for every app.
    for (const app of APPS) {
      const missing = [
        'bff_http_requests_total',
        'bff_http_request_duration_seconds_bucket',
        'bff_ready',
        'bff_redis_up',
      ].filter((name) => !exported.get(app)!.has(name));
      expect({ app, missing }).toEqual({ app, missing: [] });
    }
  });

  it('the metric-name check can fail: a name the BFFs do not export is reported', () => {
    expect(metricNames('sum(rate(bff_http_requestz_total[5m])) / app:bff_x:ratio')).toEqual([
      'bff_http_requestz_total',
    ]);
  });

  describe('a real Prometheus on loopback', () => {
    let prometheus: ChildProcess | undefined;
    let api = '';
    let dir = '';

    beforeAll(async () => {
      if (!installed('prometheus') || bffs.size < APPS.length) return;
      dir = mkdtempSync(join(tmpdir(), 'bff-prometheus-'));
      const port = await freePort();
      api = `http://127.0.0.1:${port}`;
      // JSON is YAML: the configuration needs no serialiser.
      const config = {
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [RULES],
        scrape_configs: APPS.map((app) => ({
          job_name: app,
          static_configs: [{ targets: [new URL(bffs.get(app)!.url).host] }],
        })),
      };
      writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(config));
      const child = spawn(
        'prometheus',
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
        ],
        { stdio: 'ignore' },
      );
      prometheus = child;
      const reap = () => child.kill('SIGKILL');
      process.once('exit', reap);
      child.once('exit', () => process.removeListener('exit', reap));
      await until(
        async () => (await fetch(`${api}/-/ready`).catch(() => undefined))?.status === 200,
        30_000,
        'prometheus ready',
      );
    }, 60_000);

    afterAll(async () => {
      if (prometheus !== undefined && prometheus.exitCode === null) {
        const exited = new Promise((r) => prometheus!.once('exit', r));
        prometheus.kill('SIGTERM');
        await exited;
      }
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    }, 30_000);

    interface Sample {
      metric: Record<string, string>;
      value: [number, string];
    }

    async function query(expr: string): Promise<{ status: string; result: Sample[] }> {
      const res = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await res.json()) as { status: string; data?: { result: Sample[] } };
      return { status: body.status, result: body.data?.result ?? [] };
    }

    withPrometheus(
      'scrapes the three BFFs and answers each app’s request metrics',
      async () => {
        const expected = APPS.map((app) => ({ job: app, app })).sort((a, b) =>
          a.job.localeCompare(b.job),
        );
        let seen: { job: string; app: string }[] = [];
        await until(
          async () => {
            const { result } = await query('sum by (job, app) (bff_http_requests_total) > 0');
            seen = result
              .map((s) => ({ job: s.metric.job, app: s.metric.app }))
              .sort((a, b) => a.job.localeCompare(b.job));
            return seen.length === APPS.length;
          },
          60_000,
          'request metrics of every app in Prometheus',
        ).catch(() => undefined);
        // Each target exports its own app's series only: one process per app.
        expect(seen).toEqual(expected);
        const up = await query('up');
        expect(up.result.map((s) => [s.metric.job, s.value[1]]).sort()).toEqual(
          APPS.map((app) => [app, '1']).sort(),
        );
        const latency = await query(
          'sum by (app) (bff_http_request_duration_seconds_count{route!~"/health/.+|/metrics"})',
        );
        expect(latency.result.map((s) => s.metric.app).sort()).toEqual([...APPS].sort());
      },
      90_000,
    );

    withPrometheus(
      'loads the rules and evaluates every one of them without error',
      async () => {
        interface RulesBody {
          data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
        }
        let rules: { name: string; health: string; lastError?: string }[] = [];
        await until(
          async () => {
            const body = (await (await fetch(`${api}/api/v1/rules`)).json()) as RulesBody;
            rules = body.data.groups.flatMap((g) => g.rules);
            return rules.length > 0 && rules.every((r) => r.health !== 'unknown');
          },
          30_000,
          'every rule evaluated',
        ).catch(() => undefined);
        const total = (readYaml(RULES) as RuleFile).groups.flatMap((g) => g.rules).length;
        expect(rules).toHaveLength(total);
        expect(rules.filter((r) => r.health !== 'ok')).toEqual([]);
        // The recording rules produce a series per app from the scraped data.
        await until(
          async () => (await query('app:bff_http_requests:rate5m')).result.length === APPS.length,
          30_000,
          'recorded request rate of every app',
        ).catch(() => undefined);
        const recorded = await query('app:bff_http_requests:rate5m');
        expect(recorded.result.map((s) => s.metric.app).sort()).toEqual([...APPS].sort());
      },
      60_000,
    );

    withPrometheus('accepts every dashboard query', async () => {
      const refused: { expr: string; status: string }[] = [];
      for (const expr of dashboardExprs) {
        const { status } = await query(asPromQl(expr));
        if (status !== 'success') refused.push({ expr, status });
      }
      expect(refused).toEqual([]);
      // A malformed query is refused: the check can fail.
      expect((await query('sum by (app (bff_http_requests_total)')).status).toBe('error');
    });
  });
});
