import { type Principal, RequestContextStore, createRequestContext } from '@app/core';
import type { Json } from './json-pointer';
import {
  type CompiledTransform,
  type Direction,
  type HeaderBag,
  type TransformContext,
  applyBodyTransform,
  applyHeaderTransform,
  compileTransform,
  convertKeys,
  currentTransformContext,
  defineTransform,
  xmlToJson,
} from './route-transform';

const principal: Principal = {
  subject: 'usr_0001',
  kind: 'user',
  roles: ['customer', 'beta'],
  scopes: ['orders:write'],
  tier: 'premium',
  orgId: 'org_7',
  clientName: 'mobile-app',
};
const ctx = (p: Principal | undefined = principal): TransformContext => ({
  principal: p,
  requestId: 'req-1',
  ip: '10.0.0.9',
  now: new Date('2026-01-02T03:04:05.000Z'),
});

function compile(ops: unknown[], direction: Direction = 'request'): CompiledTransform {
  const problems: string[] = [];
  const t = compileTransform(ops, direction, problems);
  expect(problems).toEqual([]);
  return t as CompiledTransform;
}

function problems(ops: unknown, direction: Direction = 'request'): string[] {
  const list: string[] = [];
  expect(compileTransform(ops, direction, list)).toBeUndefined();
  return list;
}

describe('route transformations', () => {
  it('flattens a client payload and adds values from the principal (a mapping template)', () => {
    const t = compile([
      { op: 'body.move', from: '/order/customer/id', path: '/customerId' },
      { op: 'body.move', from: '/order/items', path: '/items' },
      { op: 'body.remove', path: '/order' },
      { op: 'body.add', path: '/placedBy', from: 'principal.sub' },
      { op: 'body.add', path: '/meta/org', from: 'principal.org_id' },
      { op: 'body.add', path: '/meta/channel', value: { name: 'web' } },
      { op: 'body.rename', path: '/note', to: 'comment' },
    ]);
    const doc = {
      order: { customer: { id: 'c1', name: 'x' }, items: [{ sku: 'a', qty: 1 }] },
      note: 'hi',
    };
    expect(applyBodyTransform(t, doc, ctx())).toEqual({
      customerId: 'c1',
      items: [{ sku: 'a', qty: 1 }],
      placedBy: 'usr_0001',
      meta: { org: 'org_7', channel: { name: 'web' } },
      comment: 'hi',
    });
  });

  it('removes a target whose value is missing, so a client never supplies it', () => {
    const t = compile([
      { op: 'body.add', path: '/org', from: 'principal.org_id' },
      { op: 'header.set', name: 'X-Tenant', from: 'principal.org_id' },
    ]);
    const anonymous = { ...principal, orgId: undefined };
    expect(applyBodyTransform(t, { org: 'forged', a: 1 }, ctx(anonymous))).toEqual({ a: 1 });
    const headers: HeaderBag = { 'x-tenant': 'forged' };
    applyHeaderTransform(t, headers, ctx(anonymous));
    expect(headers).toEqual({});
  });

  it('adds, sets, removes and renames headers and query parameters', () => {
    const t = compile([
      { op: 'header.add', name: 'X-Client', value: 'web' },
      { op: 'header.add', name: 'X-Kept', value: 'never' },
      { op: 'header.set', name: 'X-Roles', from: 'principal.roles' },
      { op: 'header.set', name: 'X-Request-Time', from: 'request.time' },
      { op: 'header.remove', name: 'X-Debug' },
      { op: 'header.rename', name: 'X-Old', to: 'X-New' },
      { op: 'query.add', name: 'tier', from: 'principal.tier' },
      { op: 'query.set', name: 'limit', value: '10' },
      { op: 'query.remove', name: 'debug' },
      { op: 'query.rename', name: 'q', to: 'search' },
    ]);
    const headers: HeaderBag = { 'x-kept': 'client', 'x-debug': '1', 'x-old': 'v' };
    applyHeaderTransform(t, headers, ctx());
    expect(headers).toEqual({
      'x-client': 'web',
      'x-kept': 'client',
      'x-roles': 'customer,beta',
      'x-request-time': '2026-01-02T03:04:05.000Z',
      'x-new': 'v',
    });
    const query = new URLSearchParams('q=a&q=b&limit=99&debug=1');
    for (const op of t.query) op(query, ctx());
    expect(query.toString()).toBe('limit=10&tier=premium&search=a&search=b');
  });

  it('converts key case both ways, values untouched', () => {
    const snake = { order_id: 'o_1', line_items: [{ unit_price: 3, sku_code: 'a_b' }] };
    const camel = convertKeys(snake, 'camel');
    expect(camel).toEqual({ orderId: 'o_1', lineItems: [{ unitPrice: 3, skuCode: 'a_b' }] });
    expect(convertKeys(camel, 'snake')).toEqual(snake);
    expect(convertKeys({ HTTPServer: 1, userID: 2 }, 'snake')).toEqual({
      http_server: 1,
      user_id: 2,
    });
  });

  it('keeps only allowed fields, per client, with wildcards over lists', () => {
    const t = compile(
      [
        { op: 'body.allow', paths: ['/items/*/id', '/items/*/name', '/total'] },
        { op: 'body.deny', paths: ['/total'], clients: ['mobile-app'] },
      ],
      'response',
    );
    const doc: Json = {
      items: [
        { id: 1, name: 'a', secret: 's' },
        { id: 2, name: 'b', cost: 3 },
      ],
      total: 2,
      internal: true,
    };
    const copy = JSON.parse(JSON.stringify(doc)) as Json;
    expect(applyBodyTransform(t, doc, ctx())).toEqual({
      items: [
        { id: 1, name: 'a' },
        { id: 2, name: 'b' },
      ],
    });
    expect(applyBodyTransform(t, copy, ctx({ ...principal, clientName: 'web' }))).toEqual({
      items: [
        { id: 1, name: 'a' },
        { id: 2, name: 'b' },
      ],
      total: 2,
    });
  });

  it('parses XML safely: no entity expansion, no DOCTYPE, bounded nesting', () => {
    expect(xmlToJson('<?xml version="1.0"?><stock><sku>a</sku><qty>3</qty></stock>')).toEqual({
      stock: { sku: 'a', qty: 3 },
    });
    expect(() => xmlToJson('<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;&a;</x>')).toThrow(/DOCTYPE/);
    expect(xmlToJson('<x>&amp;lt;</x>')).toEqual({ x: '&amp;lt;' });
    const deep = `${'<a>'.repeat(200)}1${'</a>'.repeat(200)}`;
    expect(() => xmlToJson(deep)).toThrow();
  });

  it('never follows or writes prototype members', () => {
    const t = compile([
      { op: 'body.add', path: '/__proto__/polluted', value: true },
      { op: 'body.move', from: '/constructor', path: '/x' },
    ]);
    const out = applyBodyTransform(t, {}, ctx()) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(out.x).toBeUndefined();
  });

  it('refuses unknown operations and fields, bad pointers, names and sources', () => {
    expect(
      problems([
        { op: 'header.append', name: 'x-a', value: 'b' },
        { op: 'body.add', path: 'no-slash', value: 1 },
        { op: 'body.add', path: '/a~2', value: 1 },
        { op: 'body.remove', path: '' },
        { op: 'header.set', name: 'x-a', from: 'header.cookie' },
        { op: 'header.set', name: 'X-User-Id', value: 'forged' },
        { op: 'header.set', name: 'Content-Length', value: '1' },
        { op: 'header.set', name: 'x-a', value: 'b', extra: 1 },
        { op: 'body.xml' },
        { op: 'body.move', from: '/a', path: '/a/b' },
        { op: 'header.add', name: 'x-a' },
        { op: 'header.set', name: 'x-a', value: 'a\r\nx-injected: 1' },
      ]),
    ).toEqual([
      expect.stringMatching(/\[0\]: unknown operation "header.append"/),
      expect.stringMatching(/\[1\]\.path is not a JSON Pointer/),
      expect.stringMatching(/\[2\]\.path is not a JSON Pointer/),
      expect.stringMatching(/\[3\]\.path must not be the whole document/),
      expect.stringMatching(/\[4\]: from must be one of principal.sub/),
      expect.stringMatching(/\[5\]\.name: "X-User-Id" is set by the BFF itself/),
      expect.stringMatching(/\[6\]\.name: "Content-Length" is set by the BFF itself/),
      expect.stringMatching(/\[7\]: unknown field "extra"/),
      expect.stringMatching(/\[8\]: unknown operation "body.xml"/),
      expect.stringMatching(/\[9\]: cannot move a member into itself/),
      expect.stringMatching(/\[10\] needs exactly one of "value"/),
      expect.stringMatching(/\[11\]: value must be a string of printable characters/),
    ]);
    expect(
      problems(
        [{ op: 'body.case', to: 'kebab' }, { op: 'body.remove', path: '/a' }, { op: 'body.xml' }],
        'response',
      ),
    ).toEqual([
      expect.stringMatching(/\[0\]\.to must be "camel" or "snake"/),
      expect.stringMatching(/\[2\]: body.xml must be the first body operation/),
    ]);
    expect(problems({ op: 'body.remove' })).toEqual([
      expect.stringMatching(/must be a list of at most 64 operations/),
    ]);
  });

  it('serves aggregating code too: defined once, applied to a part within the request', async () => {
    const legacyOrder = defineTransform(
      [
        { op: 'body.case', to: 'camel' },
        { op: 'body.deny', paths: ['/internalNotes'] },
        { op: 'body.add', path: '/viewer', from: 'principal.sub' },
      ],
      'response',
    );
    const request = { ...createRequestContext({ 'x-request-id': 'agg-1' }, 1000), principal };
    const part = async () =>
      applyBodyTransform(
        legacyOrder,
        { order_id: 'o1', internal_notes: 'x' },
        currentTransformContext(),
      );
    expect(await RequestContextStore.run(request, part)).toEqual({
      orderId: 'o1',
      viewer: 'usr_0001',
    });
    expect(() => defineTransform([{ op: 'body.nope' }], 'response')).toThrow(
      /Invalid transform:\n {2}- transform.response\[0\]: unknown operation "body.nope"/,
    );
  });
});
