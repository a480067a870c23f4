import { loadConfig } from '@app/config';
import type { OidcClient } from './oidc.client';
import { RefreshRejectedError } from './session.errors';
import { SessionService } from './session.service';
import { MemorySessionStore } from './session.store';
import type { TokenSet } from './session.types';

const config = loadConfig({ WEB_SPA_ORIGINS: 'http://127.0.0.1:5173', NODE_ENV: 'test' }).session;

function fakeOidc(overrides: Partial<Record<keyof OidcClient, unknown>> = {}) {
  let n = 0;
  const oidc = {
    authorizationUrl: jest.fn(async () => 'http://idp/auth'),
    exchangeCode: jest.fn(async (): Promise<TokenSet> => ({
      accessToken: 'at-0',
      expiresInSeconds: 60,
      refreshToken: 'rt-0',
      idToken: 'id',
    })),
    verifyIdToken: jest.fn(async () => ({ sub: 'usr_0001', nonce: 'x', name: 'Ada', iss: 'i' })),
    refresh: jest.fn(async (): Promise<TokenSet> => {
      n += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return {
        accessToken: `at-${n}`,
        expiresInSeconds: 60,
        refreshToken: `rt-${n}`,
        idToken: undefined,
      };
    }),
    revoke: jest.fn(async () => undefined),
    endSessionUrl: jest.fn(async () => 'http://idp/session/end'),
    ...overrides,
  };
  return oidc;
}

async function signedIn(service: SessionService, store: MemorySessionStore) {
  const { loginId } = await service.startLogin(undefined);
  const pending = [
    ...(
      store as unknown as { entries: Map<string, { value: { state: string } }> }
    ).entries.values(),
  ][0].value;
  return service.completeLogin(loginId, { code: 'c', state: pending.state });
}

describe('SessionService', () => {
  let now: number;
  const clock = () => now;

  beforeEach(() => {
    now = Date.parse('2026-01-01T00:00:00Z');
  });

  it('refreshes once for many concurrent requests near expiry, then serves the new token', async () => {
    const store = new MemorySessionStore(100, clock);
    const oidc = fakeOidc();
    const service = new SessionService(config, oidc as unknown as OidcClient, store, store, clock);
    const { sessionId } = await signedIn(service, store);
    expect((await service.resolve(sessionId))?.accessToken).toBe('at-0');
    expect(oidc.refresh).not.toHaveBeenCalled();

    now += 31_000; // 60 s token, refreshed 30 s early
    const sessions = await Promise.all(
      Array.from({ length: 50 }, () => service.resolve(sessionId)),
    );
    expect(oidc.refresh).toHaveBeenCalledTimes(1);
    expect(new Set(sessions.map((s) => s?.accessToken))).toEqual(new Set(['at-1']));
    expect((await service.resolve(sessionId))?.refreshToken).toBe('rt-1');
    expect(oidc.refresh).toHaveBeenCalledTimes(1);
  });

  it('ends the session when the IdP rejects the refresh token', async () => {
    const store = new MemorySessionStore(100, clock);
    const oidc = fakeOidc({
      refresh: jest.fn(async () => {
        throw new RefreshRejectedError('invalid_grant');
      }),
    });
    const service = new SessionService(config, oidc as unknown as OidcClient, store, store, clock);
    const { sessionId } = await signedIn(service, store);
    now += 31_000;
    expect(await service.resolve(sessionId)).toBeUndefined();
    expect(await service.resolve(sessionId)).toBeUndefined();
    expect(oidc.refresh).toHaveBeenCalledTimes(1);
  });

  it('keeps a still-valid token when the IdP is down, and fails once it has expired', async () => {
    const store = new MemorySessionStore(100, clock);
    const oidc = fakeOidc({
      refresh: jest.fn(async () => {
        throw new Error('connect ECONNREFUSED');
      }),
    });
    const service = new SessionService(config, oidc as unknown as OidcClient, store, store, clock);
    const { sessionId } = await signedIn(service, store);
    now += 31_000;
    expect((await service.resolve(sessionId))?.accessToken).toBe('at-0');
    now += 30_000;
    await expect(service.resolve(sessionId)).rejects.toThrow('ECONNREFUSED');
  });

  it('waits for another instance holding the refresh lock instead of refreshing twice', async () => {
    const store = new MemorySessionStore(100, clock);
    const oidc = fakeOidc();
    const service = new SessionService(config, oidc as unknown as OidcClient, store, store, clock);
    const { sessionId } = await signedIn(service, store);
    now += 31_000;
    const entries = (store as unknown as { entries: Map<string, { value: object }> }).entries;
    const key = [...entries.keys()].find((k) => k.startsWith('session:')) ?? '';
    const otherInstance = await store.lock(`refresh:${key}`, 10_000);
    const waiting = service.resolve(sessionId);
    // The other instance finishes its refresh and stores the result.
    const current = entries.get(key)?.value as Record<string, unknown>;
    await store.set(key, { ...current, accessToken: 'at-other', refreshAt: now + 30_000 }, 60_000);
    await otherInstance?.();
    expect((await waiting)?.accessToken).toBe('at-other');
    expect(oidc.refresh).not.toHaveBeenCalled();
  });

  it('keeps pending logins apart: a flood of /auth/login cannot evict sessions', async () => {
    const store = new MemorySessionStore(100, clock);
    const logins = new MemorySessionStore(10, clock);
    const service = new SessionService(
      config,
      fakeOidc() as unknown as OidcClient,
      store,
      logins,
      clock,
    );
    const first = await service.startLogin(undefined);
    const pending = [
      ...(
        logins as unknown as { entries: Map<string, { value: { state: string } }> }
      ).entries.values(),
    ][0].value;
    const { sessionId } = await service.completeLogin(first.loginId, {
      code: 'c',
      state: pending.state,
    });
    for (let i = 0; i < 50; i++) await service.startLogin(undefined);
    expect(logins.size).toBe(10);
    expect(store.size).toBe(1);
    expect((await service.resolve(sessionId))?.sub).toBe('usr_0001');
  });

  it.each([
    [undefined, 'http://127.0.0.1:5173/'],
    ['/orders?x=1', '/orders?x=1'],
    ['http://127.0.0.1:5173/account', 'http://127.0.0.1:5173/account'],
    ['http://127.0.0.1:3001/x', 'http://127.0.0.1:3001/x'],
    ['https://evil.example/', 'http://127.0.0.1:5173/'],
    ['//evil.example/', 'http://127.0.0.1:5173/'],
    ['/\\evil.example', 'http://127.0.0.1:5173/'],
    ['javascript:alert(1)', 'http://127.0.0.1:5173/'],
  ])('sends the browser back to %p as %p', (returnTo, expected) => {
    const service = new SessionService(
      config,
      fakeOidc() as unknown as OidcClient,
      new MemorySessionStore(10),
    );
    expect(service.safeReturnUrl(returnTo)).toBe(expected);
  });

  it('refuses callbacks that do not belong to the pending login', async () => {
    const store = new MemorySessionStore(100, clock);
    const service = new SessionService(
      config,
      fakeOidc() as unknown as OidcClient,
      store,
      store,
      clock,
    );
    await expect(service.completeLogin(undefined, {})).rejects.toThrow('No login in progress');
    const { loginId } = await service.startLogin(undefined);
    await expect(service.completeLogin(loginId, { code: 'c', state: 'wrong' })).rejects.toThrow(
      'state does not match',
    );
    // Consumed by the failed attempt.
    await expect(service.completeLogin(loginId, { code: 'c', state: 'wrong' })).rejects.toThrow(
      'expired or was already used',
    );
  });
});
