import { ConfigValidationError, loadConfig } from './config.loader';

describe('graphql config', () => {
  it('closes introspection, suggestions and the IDE in production', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).graphql).toMatchObject({
      introspection: false,
      ide: false,
    });
  });

  it('opens introspection outside production and the IDE in development only', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).graphql).toMatchObject({
      introspection: true,
      ide: true,
    });
    expect(loadConfig({ NODE_ENV: 'test' }).graphql).toMatchObject({
      introspection: true,
      ide: false,
    });
    expect(
      loadConfig({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' }).graphql.introspection,
    ).toBe(true);
  });

  it('stops start-up on a limit out of range, naming the variable', () => {
    expect(() => loadConfig({ GRAPHQL_MAX_DEPTH: '1' })).toThrow(ConfigValidationError);
    expect(() => loadConfig({ GRAPHQL_MAX_DEPTH: '1' })).toThrow(/GRAPHQL_MAX_DEPTH/);
  });
});
