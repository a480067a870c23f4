import type { DownstreamServiceConfig } from '@app/config';
import { type Principal, RequestContextStore, createRequestContext } from '@app/core';
import { createHmac } from 'node:crypto';
import type { DownstreamCall, RawResponse } from './downstream.types';
import { sanitizeHeaders, userContextMiddleware } from './user-context.middleware';

const service: DownstreamServiceConfig = {
  name: 'orders',
  urls: ['http://orders'],
  timeoutMs: 1000,
  transport: 'undici',
  connections: 1,
};
const principal: Principal = {
  subject: 'usr_0001',
  kind: 'user',
  roles: ['customer', 'vip'],
  scopes: ['orders:read'],
  tier: 'premium',
  orgId: 'org_1',
};

async function send(
  headers: Record<string, string>,
  who?: Principal,
  secret?: string,
  options: { method?: string; idempotencyKey?: string } = {},
) {
  let seen: Record<string, string> = {};
  const next = async (call: DownstreamCall): Promise<RawResponse> => {
    seen = { ...call.headers };
    return { status: 200, headers: {}, body: Buffer.alloc(0) };
  };
  const mw = userContextMiddleware(
    secret === undefined ? undefined : { secret, ttlSeconds: 30, issuer: 'bff' },
  )(next);
  const method = options.method ?? 'GET';
  const call = { service, method, path: '/x', headers, body: undefined } as DownstreamCall;
  const ctx = createRequestContext({}, 1000);
  if (who !== undefined) ctx.principal = who;
  if (options.idempotencyKey !== undefined) ctx.idempotencyKey = options.idempotencyKey;
  await RequestContextStore.run(ctx, () => mw(call));
  return seen;
}

describe('user context downstream', () => {
  it('strips client identity, internal, credential and hop-by-hop headers in any case', () => {
    const headers: Record<string, string> = {
      'X-User-Id': 'evil',
      'x-user-id': 'evil2',
      'X-USER-ROLES': 'admin',
      'x-org-id': 'org_evil',
      'X-Internal-Token': 'forged',
      Authorization: 'Bearer client-token',
      cookie: 'sid=1',
      'x-api-key': 'k',
      connection: 'keep-alive, X-Secret-Hop',
      'x-secret-hop': '1',
      'transfer-encoding': 'chunked',
      'x-request-id': 'keep-me',
      accept: 'application/json',
    };
    sanitizeHeaders(headers);
    expect(headers).toEqual({ 'x-request-id': 'keep-me', accept: 'application/json' });
  });

  it('strips the "_" spellings of identity headers too', async () => {
    const seen = await send(
      { X_User_Id: 'usr_9999', x_user_roles: 'admin', 'X-User_Id': 'x', x_org_id: 'o' },
      principal,
    );
    expect(seen).toEqual({
      'x-user-id': 'usr_0001',
      'x-user-roles': 'customer,vip',
      'x-org-id': 'org_1',
    });
  });

  it("sends the client's Idempotency-Key on POST and PATCH calls, unless the code set one", async () => {
    const key = { idempotencyKey: 'k-1' };
    expect(
      (await send({}, undefined, undefined, { ...key, method: 'POST' }))['idempotency-key'],
    ).toBe('k-1');
    expect(
      (await send({}, undefined, undefined, { ...key, method: 'PATCH' }))['idempotency-key'],
    ).toBe('k-1');
    expect(
      (await send({}, undefined, undefined, { ...key, method: 'GET' }))['idempotency-key'],
    ).toBeUndefined();
    expect(
      (await send({}, undefined, undefined, { method: 'POST' }))['idempotency-key'],
    ).toBeUndefined();
    const own = await send({ 'Idempotency-Key': 'mine' }, undefined, undefined, {
      ...key,
      method: 'POST',
    });
    expect(own).toEqual({ 'Idempotency-Key': 'mine' });
  });

  it('sets X-User-Id, X-User-Roles and X-Org-Id from the verified principal only', async () => {
    const seen = await send({ 'X-User-Id': 'usr_9999', 'x-user-roles': 'admin' }, principal);
    expect(seen).toEqual({
      'x-user-id': 'usr_0001',
      'x-user-roles': 'customer,vip',
      'x-org-id': 'org_1',
    });
  });

  it('sends no identity for anonymous calls', async () => {
    expect(await send({ 'x-user-id': 'usr_0001', accept: '*/*' })).toEqual({ accept: '*/*' });
  });

  it('signs a short-lived X-Internal-Token for the called service when configured', async () => {
    const secret = 's'.repeat(32);
    const seen = await send({}, principal, secret);
    const [h, p, s] = seen['x-internal-token'].split('.');
    expect(createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url')).toBe(s);
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    expect(claims).toMatchObject({
      iss: 'bff',
      aud: 'orders',
      sub: 'usr_0001',
      roles: ['customer', 'vip'],
    });
    expect(claims.exp - claims.iat).toBe(30);
  });
});
