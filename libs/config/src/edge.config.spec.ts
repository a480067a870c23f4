import { ConfigValidationError, loadConfig } from './config.loader';

describe('edge config', () => {
  it('has documented defaults', () => {
    expect(loadConfig({}).edge).toEqual({
      limits: {
        maxHeaders: 100,
        maxHeaderBytes: 16_384,
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 30_000,
        keepAliveTimeoutMs: 72_000,
        maxConnectionsPerIp: 256,
        jsonMaxDepth: 32,
        jsonMaxBytes: 262_144,
      },
      headers: { underscoreAllowList: [] },
      paths: { semicolons: 'reject' },
    });
  });

  it('reads overrides; the allow-list is lower-cased', () => {
    const { edge } = loadConfig({
      BFF_MAX_HEADERS: '50',
      BFF_MAX_HEADER_BYTES: '8192',
      BFF_HEADERS_TIMEOUT_MS: '1000',
      BFF_REQUEST_TIMEOUT_MS: '2000',
      BFF_KEEP_ALIVE_TIMEOUT_MS: '5000',
      BFF_MAX_CONNECTIONS_PER_IP: '0',
      BFF_JSON_MAX_DEPTH: '8',
      BFF_JSON_MAX_BYTES: '1024',
      BFF_HEADER_UNDERSCORE_ALLOW: 'X_Legacy_Client, x_tenant',
      BFF_PATH_SEMICOLONS: 'allow',
    });
    expect(edge.limits).toMatchObject({
      maxHeaders: 50,
      headersTimeoutMs: 1000,
      requestTimeoutMs: 2000,
      maxConnectionsPerIp: 0,
      jsonMaxDepth: 8,
      jsonMaxBytes: 1024,
    });
    expect(edge.headers.underscoreAllowList).toEqual(['x_legacy_client', 'x_tenant']);
    expect(edge.paths.semicolons).toBe('allow');
  });

  it('a small BFF_BODY_LIMIT_BYTES lowers the JSON default with it', () => {
    expect(loadConfig({ BFF_BODY_LIMIT_BYTES: '4096' }).edge.limits.jsonMaxBytes).toBe(4096);
  });

  it('stops start-up naming each bad variable', () => {
    const attempt = () =>
      loadConfig({
        BFF_MAX_HEADERS: '5',
        BFF_HEADERS_TIMEOUT_MS: '5000',
        BFF_REQUEST_TIMEOUT_MS: '1000',
        BFF_JSON_MAX_BYTES: '2000000',
        BFF_HEADER_UNDERSCORE_ALLOW: 'bad name',
        BFF_PATH_SEMICOLONS: 'sometimes',
      });
    expect(attempt).toThrow(ConfigValidationError);
    try {
      attempt();
    } catch (error) {
      const text = (error as Error).message;
      for (const name of [
        'BFF_MAX_HEADERS',
        'BFF_HEADERS_TIMEOUT_MS',
        'BFF_JSON_MAX_BYTES',
        'BFF_HEADER_UNDERSCORE_ALLOW',
        'BFF_PATH_SEMICOLONS',
      ]) {
        expect(text).toContain(name);
      }
    }
  });
});
