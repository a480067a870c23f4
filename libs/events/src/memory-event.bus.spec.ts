import { MemoryEventBus } from './memory-event.bus';
import type { FeedEvent } from './events.types';

describe('MemoryEventBus', () => {
  let now = 1_000_000;
  const bus = (historyMax = 100) =>
    new MemoryEventBus({ source: 'test', historyMs: 60_000, historyMax, now: () => now });

  it('delivers in order with stream-format ids and resumes after a given id', async () => {
    const events = bus();
    const seen: FeedEvent[] = [];
    events.subscribe((e) => seen.push(e));
    const first = await events.publish({ topic: 'orders', type: 'a', data: 1 });
    await events.publish({ topic: 'ops', type: 'b', data: 2 });
    now += 1;
    await events.publish({ topic: 'orders', type: 'c', data: 3 });
    expect(seen.map((e) => e.id)).toEqual(['1000000-0', '1000000-1', '1000001-0']);
    expect(await events.since(first!.id, ['orders'])).toEqual([seen[2]]);
    expect(await events.since(first!.id, ['orders', 'ops'])).toEqual([seen[1], seen[2]]);
  });

  it('answers reset when events after the id were dropped, or the id is unknown', async () => {
    const events = bus(2);
    const first = await events.publish({ topic: 'orders', type: 'a', data: 1 });
    const second = await events.publish({ topic: 'orders', type: 'b', data: 2 });
    await events.publish({ topic: 'orders', type: 'c', data: 3 });
    await events.publish({ topic: 'orders', type: 'd', data: 4 });
    expect(await events.since(first!.id, ['orders'])).toBe('reset');
    expect(await events.since(second!.id, ['orders'])).toHaveLength(2);
    expect(await events.since('99999999999-0', ['orders'])).toBe('reset');
    expect(await events.since('not-an-id', ['orders'])).toBe('reset');
  });

  it('drops events older than the history time', async () => {
    const events = bus();
    const first = await events.publish({ topic: 'orders', type: 'a', data: 1 });
    await events.publish({ topic: 'orders', type: 'b', data: 2 });
    now += 61_000;
    expect(await events.since(first!.id, ['orders'])).toBe('reset');
  });

  it('publishes a dedup key once', async () => {
    const events = bus();
    expect(
      await events.publish({ topic: 'orders', type: 'a', data: 1, dedupKey: 'k' }),
    ).toBeDefined();
    expect(
      await events.publish({ topic: 'orders', type: 'a', data: 1, dedupKey: 'k' }),
    ).toBeUndefined();
  });
});
