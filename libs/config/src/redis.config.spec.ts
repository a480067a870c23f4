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
});
