import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type BffAppName, loadConfig } from '@app/config';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { BFF_APPS } from './support/bff-apps';

import { type Sandbox, startApp, startSandbox } from './support/stack';
import { parseYaml, readYaml, readYamlDocuments } from './support/yaml';

/*
 * deploy/kubernetes without a cluster: every manifest against the Kubernetes schemas
 * (kubernetes-models), then what the schemas cannot know, against the code: the environment each
 * container gets is read and accepted by the config lib, ports and probe paths are the ones the
 * app serves (the app is booted with that environment), the route tables are the apps' own.
 */

const ROOT = resolve(__dirname, '..');
/** The Node flags of every BFF process (scripts/node-flags.mjs). */
const BFF_NODE_FLAGS = JSON.parse(
  readFileSync(join(ROOT, 'scripts/bff-node-flags.json'), 'utf8'),
) as string[];
const BASE = join(ROOT, 'deploy/kubernetes/base');
const OVERLAYS = join(ROOT, 'deploy/kubernetes/overlays');
const APPS: readonly BffAppName[] = ['web-bff', 'mobile-bff', 'admin-bff'];

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  file: string;
}

interface Validatable {
  validate(): void;
}

const MODELS: Record<string, new (data: never) => Validatable> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

const kustomization = readYaml(join(BASE, 'kustomization.yaml')) as {
  resources: string[];
  namespace: string;
};
const manifests: Manifest[] = kustomization.resources.flatMap((file) =>
  readYamlDocuments(join(BASE, file)).map((doc) => ({ ...(doc as Manifest), file })),
);

function find<T>(kind: string, name: string): T {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name}`);
  return found as unknown as T;
}

const deployment = (app: BffAppName) =>
  find<{ spec: { template: { metadata: { labels: Record<string, string> }; spec: IPodSpec } } }>(
    'Deployment',
    app,
  );
const container = (app: BffAppName): IContainer => deployment(app).spec.template.spec.containers[0];
const envConfigMap = find<{ data: Record<string, string> }>('ConfigMap', 'bff-env');
const routesConfigMap = find<{ data: Record<string, string> }>('ConfigMap', 'bff-routes');

/** The environment a container starts with: its ConfigMaps, then its own entries (secrets filled in). */
function containerEnv(app: BffAppName): Record<string, string> {
  const c = container(app);
  const env: Record<string, string> = {};
  for (const source of c.envFrom ?? []) {
    Object.assign(
      env,
      find<{ data: Record<string, string> }>('ConfigMap', source.configMapRef!.name!).data,
    );
  }
  for (const entry of c.env ?? []) {
    // A secret's value is not in the repository: a placeholder as long as the strictest rule asks.
    env[entry.name] = entry.value ?? `secret-${entry.name.toLowerCase()}-${'x'.repeat(32)}`;
  }
  return env;
}

/** loadConfig on `env`, recording which variables it read. */
function loadRecording(env: Record<string, string>) {
  const read = new Set<string>();
  const proxy = new Proxy(env, {
    get: (target, name) => {
      if (typeof name === 'string') read.add(name);
      return target[name as string];
    },
  });
  return { config: loadConfig(proxy), read };
}

describe('deploy/kubernetes', () => {
  it('lists every manifest file of the base in its kustomization', () => {
    const files = readdirSync(BASE).filter(
      (f) => f.endsWith('.yaml') && f !== 'kustomization.yaml',
    );
    expect([...kustomization.resources].sort()).toEqual(files.sort());
  });

  it('has, per BFF, a Deployment, Service, HorizontalPodAutoscaler and PodDisruptionBudget', () => {
    for (const app of APPS) {
      for (const kind of [
        'Deployment',
        'Service',
        'HorizontalPodAutoscaler',
        'PodDisruptionBudget',
      ]) {
        expect(manifests.filter((m) => m.kind === kind && m.metadata.name === app)).toHaveLength(1);
      }
    }
    expect(manifests.filter((m) => m.kind === 'NetworkPolicy')).toHaveLength(1);
  });

  it('validates every manifest against the Kubernetes schema of its kind', () => {
    for (const manifest of manifests) {
      const { file, ...object } = manifest;
      const Model = MODELS[`${object.apiVersion}/${object.kind}`];
      expect({ file, kind: object.kind, known: Model !== undefined }).toEqual({
        file,
        kind: object.kind,
        known: true,
      });
      expect(() => new Model(object as never).validate()).not.toThrow();
    }
  });

  it('rejects a manifest the schema does not allow (the check can fail)', () => {
    const broken = structuredClone(deployment('web-bff')) as unknown as {
      spec: { replicas: unknown };
    };
    broken.spec.replicas = 'three';
    expect(() => new Deployment(broken as never).validate()).toThrow(/replicas must be integer/);
  });

  describe.each(APPS)('%s', (app) => {
    it('gets an environment the config lib reads entirely and accepts', () => {
      const env = containerEnv(app);
      const { config, read } = loadRecording(env);
      expect(Object.keys(env).filter((name) => !read.has(name))).toEqual([]);
      expect(config.nodeEnv).toBe('production');
      expect(config.redisUrl).toBeDefined();
    });

    it('runs its own entry point, listening on the port its probes and Service use', () => {
      const c = container(app);
      const entry = c.command?.at(-1) ?? '';
      expect(entry).toBe(`dist/apps/${app}/apps/${app}/src/main.js`);
      // The same Node flags as `npm start` and the benchmarks (scripts/node-flags.mjs).
      expect(c.command?.slice(0, -1)).toEqual(['node', ...BFF_NODE_FLAGS]);
      expect(existsSync(join(ROOT, `apps/${app}/src/main.ts`))).toBe(true);
      const { config } = loadRecording(containerEnv(app));
      expect(c.ports).toEqual([
        { name: 'http', containerPort: config.apps[app].port, protocol: 'TCP' },
      ]);
      expect(c.readinessProbe?.httpGet?.port).toBe('http');
      expect(c.livenessProbe?.httpGet?.port).toBe('http');
      const service = find<{ spec: { ports: { targetPort: string }[]; selector: object } }>(
        'Service',
        app,
      );
      expect(service.spec.ports.map((p) => p.targetPort)).toEqual(['http']);
      expect(deployment(app).spec.template.metadata.labels).toMatchObject(service.spec.selector);
      const annotations = (
        deployment(app).spec.template as unknown as {
          metadata: { annotations: Record<string, string> };
        }
      ).metadata.annotations;
      expect(annotations['prometheus.io/port']).toBe(String(config.apps[app].port));
    });

    it('drains within its grace period, seen by a readiness probe before the listener closes', () => {
      const { config } = loadRecording(containerEnv(app));
      const spec = deployment(app).spec.template.spec;
      const { shutdownDelayMs, shutdownTimeoutMs } = config.observability;
      expect(spec.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(
        shutdownDelayMs + shutdownTimeoutMs,
      );
      const probe = container(app).readinessProbe!;
      expect(probe.periodSeconds! * probe.failureThreshold! * 1000).toBeLessThan(shutdownDelayMs);
    });

    it('runs as non-root on a read-only root filesystem, writing only to its volumes', () => {
      const spec = deployment(app).spec.template.spec;
      const c = container(app);
      expect(spec.securityContext?.runAsNonRoot).toBe(true);
      expect(c.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
      expect(c.resources?.requests).toBeDefined();
      expect(c.resources?.limits?.memory).toBeDefined();
      const { config } = loadRecording(containerEnv(app));
      const mounts = c.volumeMounts ?? [];
      for (const file of [config.auth.audit.path, config.auth.apiKeys.file]) {
        const mount = mounts.find((m) => dirname(file) === m.mountPath);
        expect({ file, writable: mount !== undefined && mount.readOnly !== true }).toEqual({
          file,
          writable: true,
        });
      }
    });

    it('mounts its route table, the same as apps/<app>/routes.json', () => {
      const { config } = loadRecording(containerEnv(app));
      const path = config.routing.routesFiles[app]!;
      const mount = container(app).volumeMounts!.find((m) => m.mountPath === dirname(path))!;
      const volume = deployment(app).spec.template.spec.volumes!.find(
        (v) => v.name === mount.name,
      )!;
      expect(volume.configMap?.name).toBe('bff-routes');
      const item = volume.configMap!.items!.find((i) => join(dirname(path), i.path) === path)!;
      const ours = JSON.parse(routesConfigMap.data[item.key]) as unknown;
      expect(ours).toEqual(JSON.parse(readFileSync(join(ROOT, `apps/${app}/routes.json`), 'utf8')));
    });

    it('is scaled by its HorizontalPodAutoscaler and protected by its PodDisruptionBudget', () => {
      const labels = deployment(app).spec.template.metadata.labels;
      const hpa = find<{ spec: { scaleTargetRef: object; minReplicas: number } }>(
        'HorizontalPodAutoscaler',
        app,
      );
      expect(hpa.spec.scaleTargetRef).toEqual({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: app,
      });
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
      const pdb = find<{ spec: { selector: { matchLabels: object } } }>('PodDisruptionBudget', app);
      expect(labels).toMatchObject(pdb.spec.selector.matchLabels);
      const policy = find<{ spec: { podSelector: { matchLabels: object } } }>(
        'NetworkPolicy',
        'bff',
      );
      expect(labels).toMatchObject(policy.spec.podSelector.matchLabels);
    });

    it('reads its secrets from the bff-secrets Secret, never from the ConfigMap', () => {
      const secretNames = ['SECRET', 'PASSWORD', 'TOKEN_SECRET'];
      expect(
        Object.keys(envConfigMap.data).filter((n) => secretNames.some((s) => n.includes(s))),
      ).toEqual([]);
      for (const entry of container(app).env ?? []) {
        expect(entry.valueFrom?.secretKeyRef?.name).toBe('bff-secrets');
      }
    });
  });

  describe('probe and metrics paths, on the apps booted with the manifests environment', () => {
    let sandbox: Sandbox;
    beforeAll(async () => {
      sandbox = await startSandbox();
    });
    afterAll(async () => {
      await sandbox?.close();
    });

    it.each(APPS)('%s answers its probes and its Prometheus scrape path', async (app) => {
      const c = container(app);
      const env = containerEnv(app);
      // What only exists in a cluster is replaced: Redis, the IdP, downstreams (sandbox), volumes.
      for (const name of [
        'REDIS_URL',
        'AUDIT_REDIS_STREAM',
        'AUTH_OIDC_ISSUERS',
        'SESSION_ISSUER',
      ]) {
        delete env[name];
      }
      for (const name of Object.keys(env).filter((n) => /^DOWNSTREAM_.*_URL$/.test(n)))
        delete env[name];
      const running = await startApp(BFF_APPS[app], sandbox, {
        ...env,
        NODE_ENV: 'production',
        LOG_LEVEL: 'silent',
        SHUTDOWN_DELAY_MS: '0',
        AUTH_OIDC_ISSUERS: 'none',
        [`${app.split('-')[0].toUpperCase()}_BFF_ROUTES_FILE`]: `apps/${app}/routes.json`,
        AUDIT_LOG_PATH: join(tmpdir(), `bff-k8s-audit-${process.pid}.log`),
        AUTH_API_KEYS_FILE: join(tmpdir(), `bff-k8s-keys-${process.pid}.json`),
      });
      try {
        const annotations = (
          deployment(app).spec.template as unknown as {
            metadata: { annotations: Record<string, string> };
          }
        ).metadata.annotations;
        for (const path of [
          c.readinessProbe!.httpGet!.path!,
          c.livenessProbe!.httpGet!.path!,
          c.startupProbe!.httpGet!.path!,
          annotations['prometheus.io/path'],
        ]) {
          const res = await fetch(`${running.url}${path}`);
          expect({ path, status: res.status }).toEqual({ path, status: 200 });
        }
        const metrics = await (
          await fetch(`${running.url}${annotations['prometheus.io/path']}`)
        ).text();
        expect(metrics).toContain('bff_http_requests_total');
      } finally {
        await running.app.close();
      }
    });
  });

  describe('overlays', () => {
    interface Patch {
      target: { kind: string; name: string };
      patch: string;
    }
    interface Op {
      op: 'replace' | 'add';
      path: string;
      value: unknown;
    }

    /** RFC 6902 `replace` (the path must exist: a patch that no longer hits is an error) and `add`. */
    function applyOps(object: unknown, ops: Op[]): void {
      for (const { op, path, value } of ops) {
        const parts = path
          .split('/')
          .slice(1)
          .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
        let node = object as Record<string, unknown>;
        for (const part of parts.slice(0, -1)) {
          if (node[part] === undefined) throw new Error(`${path}: no ${part}`);
          node = node[part] as Record<string, unknown>;
        }
        const last = parts.at(-1)!;
        if (op === 'replace' && node[last] === undefined) throw new Error(`${path} does not exist`);
        node[last] = value;
      }
    }

    /** The overlay's manifests: the base with its patches applied (each must hit one manifest). */
    function build(name: string): Manifest[] {
      const overlay = readYaml(join(OVERLAYS, name, 'kustomization.yaml')) as {
        resources: string[];
        patches: Patch[];
      };
      expect(overlay.resources).toEqual(['../../base']);
      const patched = structuredClone(manifests);
      for (const { target, patch } of overlay.patches) {
        const hits = patched.filter(
          (m) => m.kind === target.kind && m.metadata.name === target.name,
        );
        expect({ target, hits: hits.length }).toEqual({ target, hits: 1 });
        applyOps(hits[0], parseYaml(patch) as Op[]);
      }
      return patched;
    }

    /** Each app's config under the overlay's environment, with the variables it did not read. */
    function overlayConfigs(patched: Manifest[]) {
      const env = (
        patched.find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'bff-env') as unknown as {
          data: Record<string, string>;
        }
      ).data;
      return APPS.map((app) => {
        const secrets = Object.fromEntries(
          (container(app).env ?? []).map((e) => [e.name, `secret-${'x'.repeat(40)}`]),
        );
        const { config, read } = loadRecording({ ...env, ...secrets });
        return { app, config, unread: Object.keys(env).filter((n) => !read.has(n)) };
      });
    }

    it.each(readdirSync(OVERLAYS))(
      '%s: patches the base into valid manifests the code accepts',
      (name) => {
        const patched = build(name);
        for (const { file: _file, ...object } of patched) {
          const Model = MODELS[`${object.apiVersion}/${object.kind}`];
          expect(() => new Model(object as never).validate()).not.toThrow();
        }
        for (const { app, unread } of overlayConfigs(patched)) {
          expect({ app, unread }).toEqual({ app, unread: [] });
        }
      },
    );

    it('redis-cluster: every app talks to the Redis Cluster through its seed nodes', () => {
      for (const { config } of overlayConfigs(build('redis-cluster'))) {
        expect(config.redisUrl).toMatch(/^redis\+cluster:\/\/[^,]+:6379,[^,]+:6379,[^,]+:6379$/);
      }
    });
  });
});
