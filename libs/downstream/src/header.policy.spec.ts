import { HeaderPolicy, canonicalHeaderName } from './header.policy';

const policy = new HeaderPolicy({ underscoreAllowList: ['x_legacy_client', 'x_user_id'] });

describe('HeaderPolicy', () => {
  it('folds case and "_" to "-" when comparing names', () => {
    expect(canonicalHeaderName('X_User_Id')).toBe('x-user-id');
    expect(canonicalHeaderName('X-User_Id')).toBe('x-user-id');
    expect(canonicalHeaderName('accept')).toBe('accept');
  });

  it.each([
    // identity, tenant, internal, in every spelling
    'x-user-id',
    'X_User_Id',
    'x_user_roles',
    'X-User_Id',
    'x-user-anything',
    'X-Internal-Token',
    'x_internal_token',
    'x-bff-route',
    'x-auth-request-user',
    'X_Auth_Request_Email',
    'x-org-id',
    'X_Org_Id',
    // credentials
    'authorization',
    'Cookie',
    'x-api-key',
    'x-csrf',
    'proxy-authorization',
    // client address claims
    'forwarded',
    'x-forwarded-for',
    'X_Forwarded_For',
    'x-forwarded-host',
    'x-forwarded-proto',
    'x-real-ip',
    'true-client-ip',
    'cf-connecting-ip',
    // hop-by-hop and connection-level
    'connection',
    'keep-alive',
    'te',
    'trailer',
    'transfer-encoding',
    'upgrade',
    'proxy-connection',
    'host',
    'expect',
    // request rewriting and method override
    'x-original-url',
    'X-Rewrite-URL',
    'x-http-method-override',
    'X-HTTP-Method',
    'x-method-override',
    'x-host',
    'X_Original_URL',
    'x_http_method_override',
    // set by the pipeline itself
    'x-request-id',
    'traceparent',
    'x-request-timeout-ms',
    // "_" names not allow-listed
    'x_custom',
    'my_header',
  ])('refuses the client header %j', (name) => {
    expect(policy.allowsClientHeader(name)).toBe(false);
  });

  it.each([
    'accept',
    'accept-language',
    'content-length',
    'x-custom',
    'idempotency-key',
    'if-none-match',
  ])('forwards the client header %j', (name) => {
    expect(policy.allowsClientHeader(name)).toBe(true);
  });

  it('forwards an allow-listed "_" name, unless it spells a reserved one', () => {
    expect(policy.allowsClientHeader('x_legacy_client')).toBe(true);
    expect(policy.allowsClientHeader('X_Legacy_Client')).toBe(true);
    expect(policy.allowsClientHeader('x_user_id')).toBe(false);
    expect(new HeaderPolicy().allowsClientHeader('x_legacy_client')).toBe(false);
  });

  it('clientHeaders: filters, drops what Connection names in any spelling, joins repeats', () => {
    const out = policy.clientHeaders({
      connection: 'keep-alive, X_Secret_Hop',
      'x-secret-hop': '1',
      x_user_id: 'usr_0001',
      'x-user_roles': 'admin',
      x_legacy_client: 'v1',
      accept: 'application/json',
      'accept-language': ['en', 'fr'] as unknown as string,
      'x-http-method-override': 'DELETE',
    });
    expect(out).toEqual({
      x_legacy_client: 'v1',
      accept: 'application/json',
      'accept-language': 'en, fr',
    });
  });

  it('sanitize: in place, any case; keeps pipeline headers and, on pass-through, the proxy forwarding ones', () => {
    const headers = (): Record<string, string> => ({
      X_User_Id: 'evil',
      'X-Forwarded-For': '10.0.0.1',
      'x-forwarded-proto': 'https',
      'X-Forwarded-Server': 'evil',
      'X-Original-URL': '/admin',
      'x-request-id': 'r1',
      traceparent: '00-1-2-01',
      'x-request-timeout-ms': '100',
      Connection: 'x-hop',
      'X-Hop': '1',
      Accept: '*/*',
    });
    const aggregated = headers();
    policy.sanitize(aggregated);
    expect(aggregated).toEqual({
      'x-request-id': 'r1',
      traceparent: '00-1-2-01',
      'x-request-timeout-ms': '100',
      Accept: '*/*',
    });
    const passThrough = headers();
    policy.sanitize(passThrough, true);
    expect(passThrough).toEqual({
      'X-Forwarded-For': '10.0.0.1',
      'x-forwarded-proto': 'https',
      'x-request-id': 'r1',
      traceparent: '00-1-2-01',
      'x-request-timeout-ms': '100',
      Accept: '*/*',
    });
  });
});
