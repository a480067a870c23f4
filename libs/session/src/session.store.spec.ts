import { MemorySessionStore } from './session.store';

describe('MemorySessionStore', () => {
  let now = 1_000;
  const clock = () => now;

  beforeEach(() => {
    now = 1_000;
  });

  it('expires entries lazily, without timers', async () => {
    const store = new MemorySessionStore(10, clock);
    await store.set('a', { v: 1 }, 100);
    expect(await store.get('a')).toEqual({ v: 1 });
    now += 100;
    expect(await store.get('a')).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('stays bounded, evicting the least recently written entry', async () => {
    const store = new MemorySessionStore(3, clock);
    for (const k of ['a', 'b', 'c']) await store.set(k, { k }, 1_000);
    await store.set('a', { k: 'a2' }, 1_000); // rewrite moves a to the back
    await store.set('d', { k: 'd' }, 1_000);
    expect(store.size).toBe(3);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toEqual({ k: 'a2' });
  });

  it('hands out a taken value once', async () => {
    const store = new MemorySessionStore(10, clock);
    await store.set('login', { state: 's' }, 1_000);
    expect(await store.take('login')).toEqual({ state: 's' });
    expect(await store.take('login')).toBeUndefined();
  });

  it('grants a lock to one holder until released or expired', async () => {
    const store = new MemorySessionStore(10, clock);
    const release = await store.lock('k', 500);
    expect(release).toBeDefined();
    expect(await store.lock('k', 500)).toBeUndefined();
    await release?.();
    const again = await store.lock('k', 500);
    expect(again).toBeDefined();
    now += 500;
    expect(await store.lock('k', 500)).toBeDefined();
  });
});
