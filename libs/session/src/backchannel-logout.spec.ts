import { RevocationStore } from '@app/auth';
import { loadConfig } from '@app/config';
import {
  BACKCHANNEL_LOGOUT_EVENT,
  LOGOUT_TOKEN_MAX_AGE_SECONDS,
  logoutRequestOf,
} from './backchannel-logout';
import type { OidcClient } from './oidc.client';
import { InvalidLogoutTokenError } from './session.errors';
import { SessionService } from './session.service';
import { MemorySessionStore } from './session.store';

const NOW = 1_800_000_000;
const valid = {
  iss: 'http://idp',
  aud: 'web-bff',
  sub: 'usr_0001',
  sid: 'sid-1',
  jti: 'j-1',
  iat: NOW,
  events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
};

describe('logoutRequestOf (Back-Channel Logout 1.0 §2.6)', () => {
  it('accepts a logout token naming a session or a subject', () => {
    expect(logoutRequestOf(valid, NOW, 30)).toEqual({
      jti: 'j-1',
      sid: 'sid-1',
      sub: 'usr_0001',
      replayUntil: NOW + LOGOUT_TOKEN_MAX_AGE_SECONDS + 30,
    });
    expect(logoutRequestOf({ ...valid, sid: undefined }, NOW, 30).sid).toBeUndefined();
  });

  it.each([
    ['no events claim', { events: undefined }],
    ['another event', { events: { 'http://example.com/other': {} } }],
    ['an event that is not an object', { events: { [BACKCHANNEL_LOGOUT_EVENT]: 'yes' } }],
    ['a nonce (an ID token)', { nonce: 'n' }],
    ['neither sid nor sub', { sid: undefined, sub: undefined }],
    ['no jti', { jti: undefined }],
    ['no iat', { iat: undefined }],
    ['an old iat', { iat: NOW - LOGOUT_TOKEN_MAX_AGE_SECONDS - 31 }],
    ['a future iat', { iat: NOW + 31 }],
  ])('refuses %s', (_what, change) => {
    expect(() => logoutRequestOf({ ...valid, ...change }, NOW, 30)).toThrow(
      InvalidLogoutTokenError,
    );
  });
});

describe('SessionService.backchannelLogout', () => {
  const config = loadConfig({ NODE_ENV: 'test' }).session;
  const setup = () => {
    const oidc = {
      verifyLogoutToken: jest.fn(async () => logoutRequestOf(valid, NOW, 30)),
    };
    const revocations = new RevocationStore(
      { store: 'memory', syncMs: 1_000, maxTtlSeconds: 3_600 },
      { url: undefined, commandTimeoutMs: 250 },
    );
    const store = new MemorySessionStore(100);
    const service = new SessionService(
      config,
      oidc as unknown as OidcClient,
      store,
      store,
      Date.now,
      () => revocations,
    );
    return { service, revocations };
  };

  it('ends the sessions of the named IdP session once; a replayed jti is refused', async () => {
    const { service, revocations } = setup();
    await service.backchannelLogout('a.b.c');
    expect(revocations.isSessionRevoked('usr_0001', 'sid-1', Date.now() - 1)).toBe(true);
    expect(revocations.isSessionRevoked('usr_0001', 'sid-2', Date.now() - 1)).toBe(false);
    await expect(service.backchannelLogout('a.b.c')).rejects.toThrow(/already used/);
  });

  it('refuses a missing or empty logout_token before any verification', async () => {
    const { service } = setup();
    for (const token of [undefined, '', 42, 'x'.repeat(20_000)]) {
      await expect(service.backchannelLogout(token)).rejects.toBeInstanceOf(
        InvalidLogoutTokenError,
      );
    }
  });
});
