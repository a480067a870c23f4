import { loadConfig } from '@app/config';
import { Test } from '@nestjs/testing';
import { ConfigModule } from '@app/config';
import { ResilienceModule } from './resilience.module';
import { ResilienceRegistry } from './resilience.registry';

async function registryFor(env: Record<string, string>): Promise<ResilienceRegistry> {
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot({ config: loadConfig(env) }), ResilienceModule.forRoot()],
  }).compile();
  return moduleRef.get(ResilienceRegistry);
}

describe('ResilienceRegistry', () => {
  it('builds one set of policies per downstream at start-up, with its own settings', async () => {
    const registry = await registryFor({ DOWNSTREAM_REVIEWS_BULKHEAD_MAX_CONCURRENT: '7' });
    const config = loadConfig({});
    expect(registry.snapshot().map((s) => s.service)).toEqual(Object.keys(config.downstreams));
    expect(registry.get('reviews')?.snapshot()).toMatchObject({
      state: 'closed',
      bulkhead: { maxConcurrent: 7, active: 0, queued: 0 },
      counters: { calls: 0, failures: 0 },
    });
    const first = registry.policiesFor(config.downstreams.reviews);
    expect(first).toHaveLength(1);
    // The same stateful policies back every pipeline built for the service.
    registry.policiesFor(config.downstreams.reviews);
    expect(registry.snapshot()).toHaveLength(5);
  });

  it('adds no middleware when RESILIENCE_ENABLED=false', async () => {
    const registry = await registryFor({ RESILIENCE_ENABLED: 'false' });
    expect(registry.enabled).toBe(false);
    expect(registry.policiesFor(loadConfig({}).downstreams.users)).toEqual([]);
    expect(registry.snapshot()).toEqual([]);
  });
});
