import { RouteConfig } from '@nestjs/platform-fastify';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';
import { DEADLINE_METADATA, DEADLINE_ROUTE_CONFIG, Deadline } from './deadline.decorator';

const routeConfig = (handler: unknown): unknown =>
  Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler as object);

describe('@Deadline', () => {
  it('puts the budget where the interceptor and the hooks before the guards find it', () => {
    class Handlers {
      @Deadline(1_500)
      @RouteConfig({ other: true })
      own() {}
    }
    expect(Reflect.getMetadata(DEADLINE_METADATA, Handlers.prototype.own)).toBe(1_500);
    // The Fastify route config keeps what @RouteConfig put there.
    expect(routeConfig(Handlers.prototype.own)).toEqual({
      other: true,
      [DEADLINE_ROUTE_CONFIG]: 1_500,
    });
  });

  it('on a controller: every handler without its own @Deadline', () => {
    @Deadline(2_000)
    class Controller {
      plain() {}
      @Deadline(500)
      quick() {}
    }
    expect(Reflect.getMetadata(DEADLINE_METADATA, Controller)).toBe(2_000);
    expect(routeConfig(Controller.prototype.plain)).toEqual({ [DEADLINE_ROUTE_CONFIG]: 2_000 });
    expect(routeConfig(Controller.prototype.quick)).toEqual({ [DEADLINE_ROUTE_CONFIG]: 500 });
  });

  it('refuses budgets that are not a positive number of milliseconds', () => {
    expect(() => Deadline(0)).toThrow(/positive/);
    expect(() => Deadline(1.5)).toThrow(/positive/);
  });
});
