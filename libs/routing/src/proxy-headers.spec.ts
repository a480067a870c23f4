import { HeaderPolicy } from '@app/downstream';
import { forwardRequestHeaders, forwardResponseHeaders } from './proxy-headers';

describe('proxy headers', () => {
  it('drops hop-by-hop, Connection-named, identity and internal request headers', () => {
    const out = forwardRequestHeaders(
      {
        host: 'bff.example',
        connection: 'keep-alive, x-secret-hop',
        'keep-alive': 'timeout=5',
        'x-secret-hop': '1',
        te: 'trailers',
        trailer: 'x',
        'transfer-encoding': 'chunked',
        upgrade: 'websocket',
        'proxy-authorization': 'Basic x',
        'proxy-connection': 'keep-alive',
        expect: '100-continue',
        authorization: 'Bearer client-token',
        cookie: 'session=abc',
        'x-user-id': 'usr_0001',
        'x-user-roles': 'admin',
        'x-internal-token': 't',
        'x-forwarded-for': '6.6.6.6',
        forwarded: 'for=6.6.6.6',
        'x-request-id': 'client-chosen',
        traceparent: '00-x',
        accept: 'application/json',
        'content-type': 'application/x-bff-pass-through',
        'content-length': '12',
        'accept-language': ['en', 'fr'] as unknown as string,
        'x-custom': 'kept',
      },
      { clientIp: '10.1.2.3', host: 'bff.example', protocol: 'https', contentType: 'text/csv' },
    );
    expect(out).toEqual({
      accept: 'application/json',
      'content-type': 'text/csv',
      'content-length': '12',
      'accept-language': 'en, fr',
      'x-custom': 'kept',
      'x-forwarded-for': '10.1.2.3',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'bff.example',
    });
  });

  it('uses the one header policy: "_" spellings, rewriting headers, the allow-list', () => {
    const incoming = {
      x_user_id: 'usr_0001',
      'x-user_roles': 'admin',
      x_forwarded_for: '6.6.6.6',
      'x-original-url': '/admin',
      'x-http-method-override': 'DELETE',
      x_legacy_client: 'v1',
      accept: '*/*',
    };
    const ctx = {
      clientIp: '10.1.2.3',
      host: undefined,
      protocol: 'http' as const,
      contentType: undefined,
    };
    expect(forwardRequestHeaders(incoming, ctx)).toEqual({
      accept: '*/*',
      'x-forwarded-for': '10.1.2.3',
      'x-forwarded-proto': 'http',
    });
    const policy = new HeaderPolicy({ underscoreAllowList: ['x_legacy_client'] });
    expect(forwardRequestHeaders(incoming, { ...ctx, policy })).toEqual({
      x_legacy_client: 'v1',
      accept: '*/*',
      'x-forwarded-for': '10.1.2.3',
      'x-forwarded-proto': 'http',
    });
  });

  it('removes a content type when the client sent none', () => {
    const out = forwardRequestHeaders(
      { 'content-type': 'application/x-bff-pass-through' },
      { clientIp: '1.1.1.1', host: undefined, protocol: 'http', contentType: undefined },
    );
    expect(out['content-type']).toBeUndefined();
    expect(out['x-forwarded-host']).toBeUndefined();
  });

  it('drops hop-by-hop and internal response headers, keeps the rest', () => {
    expect(
      forwardResponseHeaders({
        connection: 'close, x-hop',
        'x-hop': '1',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        server: 'nginx/1.2',
        'x-powered-by': 'Express',
        'x-request-id': 'downstream',
        'content-type': 'application/json',
        'set-cookie': ['a=1', 'b=2'],
        etag: '"1"',
      }),
    ).toEqual({ 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'], etag: '"1"' });
  });
});
