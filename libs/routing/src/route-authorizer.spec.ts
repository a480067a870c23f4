import { loadConfig } from '@app/config';
import { type Principal, createRequestContext } from '@app/core';
import type { DownstreamClient } from '@app/downstream';
import type { FastifyRequest } from 'fastify';
import { AccessDeniedError, AuthorizerUnavailableError, RouteAuthorizer } from './route-authorizer';
import { compileRouteTable } from './route-table.loader';

const config = loadConfig({
  DOWNSTREAM_SERVICES: 'catalog,permissions',
  DOWNSTREAM_PERMISSIONS_URL: 'http://127.0.0.1:9',
});
const compile = (authorize: Record<string, unknown>) =>
  compileRouteTable(
    {
      routes: [
        {
          name: 'guarded',
          prefix: '/g',
          service: 'catalog',
          authorize: { service: 'permissions', path: '/authorize', ...authorize },
        },
      ],
    },
    config,
  )[0];

const principal: Principal = {
  subject: 'usr_1',
  kind: 'user',
  roles: ['customer'],
  scopes: [],
  tier: 'standard',
};

function request(headers: Record<string, string> = {}, method = 'GET'): FastifyRequest {
  const bffContext = { ...createRequestContext({}, 1000), principal };
  return { method, ip: '10.0.0.1', headers, bffContext } as unknown as FastifyRequest;
}

/** A downstream client whose authorizer answers are scripted; counts the questions. */
function authorizerDouble(answer: () => Promise<{ status: number; body: unknown }>) {
  const questions: unknown[] = [];
  const client = {
    request: jest.fn(async (_service: string, req: { body: unknown }) => {
      questions.push(req.body);
      const res = await answer();
      return { ...res, headers: {} };
    }),
  } as unknown as DownstreamClient;
  return { client, questions };
}

describe('RouteAuthorizer', () => {
  it('asks once for concurrent identical questions and caches the decision', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const double = authorizerDouble(async () => {
      await gate;
      return { status: 200, body: { allow: true, headers: { 'x-level': 'read' } } };
    });
    const route = compile({ headers: ['X-Device-Id'] });
    const authorizer = new RouteAuthorizer(double.client);
    const policy = route.policies!.authorize!;
    const pending = [1, 2, 3].map(() =>
      authorizer.authorize(route, policy, request({ 'x-device-id': 'd1' }), '/g/x'),
    );
    release();
    expect(await Promise.all(pending)).toEqual([
      { 'x-level': 'read' },
      { 'x-level': 'read' },
      { 'x-level': 'read' },
    ]);
    await authorizer.authorize(route, policy, request({ 'x-device-id': 'd1' }), '/g/y');
    expect(double.questions).toEqual([
      {
        route: 'guarded',
        method: 'GET',
        path: '/g/x',
        ip: '10.0.0.1',
        principal: {
          sub: 'usr_1',
          kind: 'user',
          roles: ['customer'],
          scopes: [],
          tier: 'standard',
        },
        headers: { 'x-device-id': 'd1' },
      },
    ]);
    // Another device (a listed header) or method is another question.
    await authorizer.authorize(route, policy, request({ 'x-device-id': 'd2' }), '/g/x');
    await authorizer.authorize(route, policy, request({ 'x-device-id': 'd1' }, 'POST'), '/g/x');
    expect(double.questions).toHaveLength(3);
  });

  it('forgets decisions after the TTL', async () => {
    let now = 1_000;
    class Clocked extends RouteAuthorizer {
      protected override now(): number {
        return now;
      }
    }
    const double = authorizerDouble(async () => ({ status: 200, body: { allow: false } }));
    const route = compile({ cacheTtlSeconds: 5 });
    const authorizer = new Clocked(double.client);
    const policy = route.policies!.authorize!;
    const ask = () => authorizer.authorize(route, policy, request(), '/g');
    await expect(ask()).rejects.toThrow(AccessDeniedError);
    now += 4_000;
    await expect(ask()).rejects.toThrow(AccessDeniedError);
    expect(double.questions).toHaveLength(1);
    now += 2_000;
    await expect(ask()).rejects.toThrow(AccessDeniedError);
    expect(double.questions).toHaveLength(2);
  });

  it.each([
    ['a failed call', () => Promise.reject(new Error('boom'))],
    ['a non-200 answer', () => Promise.resolve({ status: 204, body: '' })],
    ['no allow field', () => Promise.resolve({ status: 200, body: { ok: true } })],
    [
      'a header that cannot be sent',
      () => Promise.resolve({ status: 200, body: { allow: true, headers: { 'x-a': 'b\r\nc' } } }),
    ],
  ])('fails closed on %s, open when configured, and never caches it', async (_, answer) => {
    const double = authorizerDouble(answer);
    const closed = compile({});
    const authorizer = new RouteAuthorizer(double.client);
    for (let i = 0; i < 2; i++) {
      await expect(
        authorizer.authorize(closed, closed.policies!.authorize!, request(), '/g'),
      ).rejects.toThrow(AuthorizerUnavailableError);
    }
    expect(double.questions).toHaveLength(2);
    const open = compile({ failureMode: 'open' });
    expect(await authorizer.authorize(open, open.policies!.authorize!, request(), '/g')).toEqual(
      {},
    );
  });
});
