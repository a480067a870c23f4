import { ConfigValidationError, loadConfig } from './config.loader';

describe('redis config', () => {
  it('has no Redis by default and a 250 ms command timeout', () => {
    expect(loadConfig({}).redis).toEqual({ url: undefined, commandTimeoutMs: 250 });
  });

  it('reads REDIS_URL and REDIS_COMMAND_TIMEOUT_MS', () => {
    const config = loadConfig({
      REDIS_URL: 'redis://10.0.0.5:6380',
      REDIS_COMMAND_TIMEOUT_MS: '40',
    });
    expect(config.redis).toEqual({ url: 'redis://10.0.0.5:6380', commandTimeoutMs: 40 });
    expect(config.redisUrl).toBe('redis://10.0.0.5:6380');
  });

  it.each(['0', 'fast', '60001'])('rejects REDIS_COMMAND_TIMEOUT_MS=%s naming it', (value) => {
    expect(() => loadConfig({ REDIS_COMMAND_TIMEOUT_MS: value })).toThrow(ConfigValidationError);
    expect(() => loadConfig({ REDIS_COMMAND_TIMEOUT_MS: value })).toThrow(
      /REDIS_COMMAND_TIMEOUT_MS must be an integer/,
    );
  });

  it('reads a Redis Cluster from REDIS_CLUSTER_NODES or a redis+cluster:// REDIS_URL', () => {
    expect(loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-1.svc:7001' }).redisUrl).toBe(
      'redis+cluster://10.0.0.1:7000,redis-1.svc:7001',
    );
    expect(
      loadConfig({ REDIS_URL: 'redis+cluster://:pw@10.0.0.1:7000,10.0.0.2:7000' }).redis.url,
    ).toBe('redis+cluster://:pw@10.0.0.1:7000,10.0.0.2:7000');
  });

  it.each([
    [{ REDIS_CLUSTER_NODES: '10.0.0.1' }, /REDIS_CLUSTER_NODES must list Redis Cluster seed nodes/],
    [{ REDIS_CLUSTER_NODES: 'a:70000' }, /REDIS_CLUSTER_NODES must list/],
    [{ REDIS_URL: 'redis+cluster://' }, /REDIS_URL must list Redis Cluster seed nodes/],
    [{ REDIS_URL: 'redis://a:1', REDIS_CLUSTER_NODES: 'a:1' }, /exclusive/],
  ])('rejects a bad cluster setting %j naming it', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
