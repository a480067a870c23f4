import { loadConfig } from '@app/config';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RouteTableError, compileRouteTable, loadRouteTable } from './route-table.loader';

const config = loadConfig({
  DOWNSTREAM_SERVICES: 'catalog,permissions',
  DOWNSTREAM_PERMISSIONS_URL: 'http://127.0.0.1:9',
});
const route = (extra: Record<string, unknown> = {}) => ({
  name: 'orders',
  prefix: '/api/v1/orders',
  service: 'catalog',
  methods: ['POST'],
  ...extra,
});
const problemsOf = (routes: unknown[]): string[] => {
  try {
    compileRouteTable({ routes }, config, 'routes.json', tmpdir());
  } catch (error) {
    expect(error).toBeInstanceOf(RouteTableError);
    return (error as RouteTableError).problems.map((p) => p.replace(/^routes\.json: /, ''));
  }
  throw new Error('expected the table to be refused');
};

describe('route policies at boot', () => {
  it('leaves routes without policies on the plain proxy path', () => {
    const [r] = compileRouteTable({ routes: [route()] }, config);
    expect(r.policies).toBeUndefined();
  });

  it('compiles schemas from files next to the route table, and every policy', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bff-policies-'));
    writeFileSync(
      join(dir, 'order.schema.json'),
      JSON.stringify({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        required: ['sku'],
        properties: { sku: { type: 'string', pattern: '^[a-z]+$' }, qty: { type: 'integer' } },
        additionalProperties: false,
      }),
    );
    const file = join(dir, 'routes.json');
    writeFileSync(
      file,
      JSON.stringify({
        routes: [
          route({
            validate: {
              body: 'order.schema.json',
              query: { type: 'object', properties: { limit: { type: 'integer', maximum: 50 } } },
            },
            transform: {
              request: [{ op: 'header.set', name: 'x-tenant', from: 'principal.org_id' }],
              response: [{ op: 'body.case', to: 'camel' }],
            },
            authorize: { service: 'permissions', path: '/authorize', cacheTtlSeconds: 30 },
            maxResponseBytes: 1024 * 1024,
          }),
        ],
      }),
    );
    const [r] = loadRouteTable(file, config);
    const p = r.policies!;
    expect(p.readsBody).toBe(true);
    expect(p.readsAnswer).toBe(true);
    expect(p.authorize).toEqual({
      service: 'permissions',
      path: '/authorize',
      headers: [],
      cacheTtlMs: 30_000,
      failOpen: false,
    });
    expect(p.validate?.body?.({ sku: 'abc', qty: 2 })).toBeUndefined();
    expect(p.validate?.body?.({ sku: 'ABC', qty: 'x', extra: 1 })).toEqual([
      { in: 'body', path: '', message: 'must not have property "extra"' },
      { in: 'body', path: '/sku', message: 'must match pattern "^[a-z]+$"' },
      { in: 'body', path: '/qty', message: 'must be integer' },
    ]);
    // Query values arrive as strings and are coerced before the check.
    expect(p.validate?.query?.({ limit: '20' })).toBeUndefined();
    expect(p.validate?.query?.({ limit: '51' })).toEqual([
      { in: 'query', path: '/limit', message: 'must be <= 50' },
    ]);
  });

  it('stops start-up naming the route and the problem', () => {
    expect(
      problemsOf([
        route({ validate: { body: { type: 'object', properties: { a: { type: 'strin' } } } } }),
        route({ name: 'b', prefix: '/b', validate: { body: { type: 'object', foo: 1 } } }),
        route({ name: 'c', prefix: '/c', validate: { body: 'missing.schema.json' } }),
        route({ name: 'd', prefix: '/d', validate: { headers: {} } }),
        route({ name: 'e', prefix: '/e', transform: { request: [{ op: 'body.explode' }] } }),
        route({
          name: 'f',
          prefix: '/f',
          transform: { request: [{ op: 'body.remove', path: 'a/b' }] },
        }),
        route({ name: 'g', prefix: '/g', transform: { sideways: [] } }),
      ]),
    ).toEqual([
      expect.stringMatching(/^route "orders": validate.body: invalid JSON Schema \(.*type/),
      expect.stringMatching(
        /^route "b": validate.body: invalid JSON Schema \(.*unknown keyword: "foo"/,
      ),
      expect.stringMatching(
        /^route "c": validate.body: schema file missing.schema.json cannot be read \(ENOENT\)/,
      ),
      'route "d": validate: unknown part "headers" (body, query, path)',
      expect.stringMatching(/^route "e": transform.request\[0\]: unknown operation "body.explode"/),
      expect.stringMatching(/^route "f": transform.request\[0\].path is not a JSON Pointer/),
      'route "g": transform: unknown direction "sideways" (request, response)',
    ]);
  });

  it('refuses policies that cannot be honoured: size, streaming, public authorizer, cache', () => {
    expect(
      problemsOf([
        route({ validate: { body: {} }, maxBodyBytes: 64 * 1024 * 1024 }),
        route({
          name: 'b',
          prefix: '/b',
          transform: { response: [{ op: 'body.case', to: 'camel' }] },
        }),
        route({
          name: 'c',
          prefix: '/c',
          auth: 'public',
          authorize: { service: 'permissions', path: '/authorize' },
        }),
        route({
          name: 'd',
          prefix: '/d',
          authorize: { service: 'nowhere', path: '/authorize', failureMode: 'maybe' },
        }),
        route({
          name: 'e',
          prefix: '/e',
          cacheTtlSeconds: 10,
          transform: { request: [{ op: 'header.set', name: 'x-a', value: 'b' }] },
        }),
      ]),
    ).toEqual([
      expect.stringMatching(
        /^route "orders": validate.body and request body operations read the body whole: maxBodyBytes must be at most 16777216/,
      ),
      expect.stringMatching(
        /^route "b": response body operations read the answer whole: the route needs maxResponseBytes at most 16777216/,
      ),
      'route "c": authorize needs a verified caller: the route cannot be public',
      'route "d": authorize.service "nowhere" is not in the downstream registry',
      'route "d": authorize.failureMode must be "closed" or "open"',
      'route "e": validate, transform and authorize cannot be combined with cacheTtlSeconds',
    ]);
  });
});
