import type { AuthConfig } from '@app/config';
import { type RouteSettings, createRequestContext } from '@app/core';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import passport from 'passport';
import {
  InsufficientScopeError,
  InvalidCredentialsError,
  MissingCredentialsError,
  TokenRevokedError,
} from './auth.errors';
import { RevocationStore } from './revocation.store';
import { BffAuthGuard, toAuthError } from './auth.guard';
import { Roles, Scopes } from './auth.decorators';
import type { ResolvedAuthOptions } from './auth.options';
import {
  type ApiKeyRecord,
  type ApiKeyStore,
  generateApiKey,
  newApiKeyRecord,
} from './api-key.store';
import { Public } from '@app/core';

class Routes {
  @Roles('admin', 'support') read() {}
  @Scopes('orders:write') write() {}
  @Public() health() {}
  @Public({ optionalAuth: true }) page() {}
  plain() {}
}

function storeWith(...records: ApiKeyRecord[]): ApiKeyStore {
  return {
    find: async (hash) => records.find((r) => r.hash === hash),
    start: async () => undefined,
    close: async () => undefined,
  };
}

function setup(defaultRoles: string[] = []) {
  const key = generateApiKey();
  const record = newApiKeyRecord(key, {
    client: 'acme',
    tier: 'premium',
    roles: ['support'],
    scopes: ['orders:read'],
  });
  const options: ResolvedAuthOptions = {
    audience: 'admin-bff',
    realm: 'admin-bff',
    defaultRoles,
    audit: false,
    config: { maxTokenBytes: 8192, internal: undefined } as unknown as AuthConfig,
  };
  const revocations = new RevocationStore(
    { store: 'memory', syncMs: 1_000, maxTtlSeconds: 3_600 },
    { url: undefined, commandTimeoutMs: 250 },
  );
  const guard = new BffAuthGuard(
    new Reflector(),
    options,
    new passport.Authenticator(),
    storeWith(record),
    undefined,
    revocations,
  );
  const run = async (
    handler: keyof Routes,
    headers: Record<string, string> = {},
    route?: RouteSettings,
  ) => {
    const replyHeaders: Record<string, string> = {};
    const request = { headers, bffContext: { ...createRequestContext({}, 1000), route } };
    const reply = { header: (k: string, v: string) => (replyHeaders[k] = v) };
    const context = {
      getType: () => 'http',
      getHandler: () => Routes.prototype[handler],
      getClass: () => Routes,
      switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
    } as unknown as ExecutionContext;
    try {
      await guard.canActivate(context);
      return { principal: request.bffContext.principal, error: undefined, replyHeaders };
    } catch (error) {
      return { principal: undefined, error, replyHeaders };
    }
  };
  return { run, key, revocations };
}

describe('BffAuthGuard', () => {
  it('lets public routes through without looking at credentials', async () => {
    const { run } = setup(['admin']);
    const r = await run('health', { 'x-api-key': 'garbage' });
    expect(r.error).toBeUndefined();
    expect(r.principal).toBeUndefined();
  });

  it('optional auth: anonymous passes, a presented credential must be valid', async () => {
    const { run, key } = setup();
    expect((await run('page')).error).toBeUndefined();
    expect((await run('page', { 'x-api-key': key })).principal).toMatchObject({
      subject: 'acme',
      kind: 'api-key',
      tier: 'premium',
      clientName: 'acme',
    });
    const bad = await run('page', { 'x-api-key': generateApiKey() });
    expect(bad.error).toBeInstanceOf(InvalidCredentialsError);
    expect(bad.replyHeaders['www-authenticate']).toBe(
      'ApiKey realm="admin-bff", error="invalid_token", error_description="Invalid API key"',
    );
  });

  it('401 with a bare challenge when credentials are missing', async () => {
    const r = await setup().run('plain');
    expect(r.error).toBeInstanceOf(MissingCredentialsError);
    expect(r.replyHeaders['www-authenticate']).toBe('Bearer realm="admin-bff"');
  });

  it('roles: any of them; the app default applies to routes without @Roles', async () => {
    const { run, key } = setup(['admin']);
    expect((await run('read', { 'x-api-key': key })).error).toBeUndefined();
    const plain = await run('plain', { 'x-api-key': key });
    expect(plain.error).toBeInstanceOf(InsufficientScopeError);
    expect((plain.error as InsufficientScopeError).status).toBe(403);
    expect(plain.replyHeaders['www-authenticate']).toMatch(
      /^ApiKey realm="admin-bff", error="insufficient_scope"/,
    );
  });

  it('scopes: all of them, named in the challenge', async () => {
    const { run, key } = setup();
    const r = await run('write', { 'x-api-key': key });
    expect(r.error).toBeInstanceOf(InsufficientScopeError);
    expect(r.replyHeaders['www-authenticate']).toContain('scope="orders:write"');
  });

  it("honours the routing lib's per-route settings over decorators", async () => {
    const { run, key } = setup();
    const route = (s: Partial<RouteSettings>): RouteSettings => ({ name: 'r', ...s });
    expect((await run('plain', {}, route({ auth: 'public' }))).error).toBeUndefined();
    expect((await run('page', {}, route({ auth: 'required' }))).error).toBeInstanceOf(
      MissingCredentialsError,
    );
    const roles = await run(
      'page',
      { 'x-api-key': key },
      route({ auth: 'required', roles: ['admin'] }),
    );
    expect(roles.error).toBeInstanceOf(InsufficientScopeError);
    const scopes = await run('page', { 'x-api-key': key }, route({ scopes: ['orders:read'] }));
    expect(scopes.error).toBeUndefined();
  });

  it('refuses the API keys of a revoked client with TOKEN_REVOKED', async () => {
    const { run, key, revocations } = setup();
    await revocations.revokeClient('other', 'test');
    expect((await run('page', { 'x-api-key': key })).error).toBeUndefined();
    await revocations.revokeClient('acme', 'test');
    const r = await run('page', { 'x-api-key': key });
    expect(r.error).toBeInstanceOf(TokenRevokedError);
    expect(r.error).toMatchObject({ status: 401, code: 'TOKEN_REVOKED' });
    expect(r.replyHeaders['www-authenticate']).toMatch(/error="invalid_token"/);
  });

  it('refuses non-Bearer schemes and a token sent with an API key', async () => {
    const { run, key } = setup();
    expect((await run('plain', { authorization: 'Basic dTpw' })).error).toBeInstanceOf(
      InvalidCredentialsError,
    );
    const both = await run('plain', { authorization: 'Bearer a.b.c', 'x-api-key': key });
    expect((both.error as { status: number }).status).toBe(400);
  });
});

describe('toAuthError', () => {
  it('maps jsonwebtoken failures to safe 401s', () => {
    const named = (name: string, message: string) => Object.assign(new Error(message), { name });
    expect(toAuthError(named('TokenExpiredError', 'jwt expired'))).toMatchObject({
      reason: 'expired',
      status: 401,
    });
    expect(toAuthError(named('NotBeforeError', 'jwt not active'))).toMatchObject({
      reason: 'not_yet_valid',
    });
    expect(
      toAuthError(named('JsonWebTokenError', 'jwt audience invalid. expected: x')),
    ).toMatchObject({
      reason: 'audience',
      message: 'The access token is not meant for this API',
    });
    expect(toAuthError(named('JsonWebTokenError', 'invalid signature'))).toMatchObject({
      reason: 'signature',
    });
    expect(toAuthError(new TypeError('boom'))).toMatchObject({
      status: 401,
      message: 'The access token is invalid',
    });
  });
});
