import { loadConfig } from '@app/config';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RouteTableError, compileRouteTable, loadRouteTable } from './route-table.loader';

const config = loadConfig({ DOWNSTREAM_CATALOG_CANARY_URL: 'http://127.0.0.1:9' });
const route = (extra: Record<string, unknown> = {}) => ({
  name: 'catalog',
  prefix: '/api/v1/catalog',
  service: 'catalog',
  ...extra,
});
const problemsOf = (table: unknown): string[] => {
  try {
    compileRouteTable(table, config, 'routes.json');
  } catch (error) {
    expect(error).toBeInstanceOf(RouteTableError);
    return [...(error as RouteTableError).problems];
  }
  throw new Error('expected the table to be refused');
};

describe('route table', () => {
  it('compiles a route with secure defaults: auth required, GET/HEAD, prefix stripped', () => {
    const [r] = compileRouteTable({ routes: [route()] }, config);
    expect(r.settings).toEqual({ name: 'catalog', auth: 'required' });
    expect([...r.methods]).toEqual(['GET', 'HEAD']);
    expect(r.allow).toBe('GET, HEAD');
    expect(r.rewrite).toBe('');
    expect(r.maxBodyBytes).toBe(config.bodyLimitBytes);
  });

  it('publishes every per-route setting for the other libs', () => {
    const [r] = compileRouteTable(
      {
        routes: [
          route({
            auth: 'required',
            roles: ['admin'],
            scopes: ['catalog:read'],
            rateLimit: { tier: 'standard', weight: 3 },
            cacheTtlSeconds: 30,
            timeoutMs: 1500,
            retries: 2,
            rewrite: '/v2/',
            methods: ['GET', 'POST'],
            canary: { weight: 12.5 },
            maxBodyBytes: 10,
          }),
        ],
      },
      config,
    );
    expect(r.settings).toEqual({
      name: 'catalog',
      auth: 'required',
      roles: ['admin'],
      scopes: ['catalog:read'],
      tier: 'standard',
      weight: 3,
      cacheTtlSeconds: 30,
      timeoutMs: 1500,
      retries: 2,
    });
    expect(r.rewrite).toBe('/v2');
    expect(r.canaryPercent).toBe(12.5);
    expect(r.maxBodyBytes).toBe(10);
    expect(Object.isFrozen(r.settings)).toBe(true);
  });

  it.each([
    [{ servic: 'catalog' }, /route "catalog": unknown field "servic"/],
    [
      { service: 'catlog' },
      /route "catalog": service "catlog" is not in the downstream registry \(users, orders, catalog/,
    ],
    [{ prefix: '/api/../users' }, /route "catalog": prefix must be a plain path/],
    [{ prefix: '/api//x' }, /prefix must be a plain path/],
    [{ prefix: '/api/%2e%2e' }, /prefix must be a plain path/],
    [{ prefix: '/health' }, /would shadow a path the BFF serves itself/],
    [{ methods: ['GET', 'TRACE'] }, /methods: "TRACE" is not one of/],
    [{ auth: 'maybe' }, /auth must be "public" or "required"/],
    [{ auth: 'public', roles: ['admin'] }, /a public route cannot require roles or scopes/],
    [{ rateLimit: { tier: 'gold' } }, /rateLimit.tier must be one of/],
    [{ rateLimit: { weight: 0 } }, /rateLimit.weight must be an integer between 1 and 1000/],
    [{ timeoutMs: 5 }, /timeoutMs must be an integer between 10/],
    [{ retries: -1 }, /retries must be an integer/],
    [{ rewrite: '/a/../b' }, /rewrite must be a plain path/],
    [{ rewrite: '/a', preservePath: true }, /rewrite and preservePath cannot be combined/],
    [{ canary: { weight: 150 } }, /canary must be \{ "weight": <percent 0..100> \}/],
  ])('refuses %j naming the route and the field', (extra, message) => {
    expect(problemsOf({ routes: [route(extra)] }).join('\n')).toMatch(message);
  });

  it('needs canary instances for a canary share', () => {
    const plain = loadConfig({});
    expect(() =>
      compileRouteTable({ routes: [route({ canary: { weight: 10 } })] }, plain, 'routes.json'),
    ).toThrow(/canary needs canary instances of "catalog" \(DOWNSTREAM_CATALOG_CANARY_URL\)/);
  });

  it('refuses duplicates and reports every problem at once', () => {
    const problems = problemsOf({
      routes: [route(), route(), route({ name: 'b', service: 'nope', timeoutMs: 1 })],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/route "catalog": name is used twice/),
        expect.stringMatching(/prefix \/api\/v1\/catalog is used twice/),
        expect.stringMatching(/route "b": service "nope"/),
        expect.stringMatching(/route "b": timeoutMs/),
      ]),
    );
  });

  it('loads a file and names it in errors; undefined means no routes', () => {
    const file = join(tmpdir(), `routes-${process.pid}.json`);
    writeFileSync(file, JSON.stringify({ routes: [route({ auth: 'public' })] }));
    expect(loadRouteTable(file, config)).toHaveLength(1);
    writeFileSync(file, '{ "routes": [ ');
    expect(() => loadRouteTable(file, config)).toThrow(new RegExp(`${file}: is not valid JSON`));
    expect(() => loadRouteTable(`${file}.missing`, config)).toThrow(/cannot be read \(ENOENT\)/);
    expect(loadRouteTable(undefined, config)).toEqual([]);
  });

  it('validates the committed route tables of the three BFFs', () => {
    const defaults = loadConfig({});
    for (const app of ['web-bff', 'mobile-bff', 'admin-bff'] as const) {
      expect(loadRouteTable(defaults.routing.routesFiles[app], defaults).length).toBeGreaterThan(0);
    }
  });
});
