import { LruStore } from './lru.store';

interface V {
  body: string;
  tags: string[];
}

const store = (maxEntries = 3, maxBytes = 1_000) =>
  new LruStore({
    maxEntries,
    maxBytes,
    sizeOf: (v) => (v as V).body.length,
    tagsOf: (v) => (v as V).tags,
  });
const v = (body: string, tags: string[] = []): { value: V } => ({ value: { body, tags } });

describe('LruStore', () => {
  it('evicts the least recently used entry beyond maxEntries', async () => {
    const s = store(2);
    await s.set('a', v('1'));
    await s.set('b', v('2'));
    expect(s.getSync('a')).toBeDefined(); // a becomes the most recent
    await s.set('c', v('3'));
    expect(s.getSync('b')).toBeUndefined();
    expect(s.getSync('a')).toBeDefined();
    expect(s.size).toBe(2);
  });

  it('evicts by bytes and refuses a value bigger than the whole budget', async () => {
    const s = store(100, 20);
    await s.set('a', v('x'.repeat(9)));
    await s.set('b', v('y'.repeat(9)));
    expect(s.byteSize).toBe(20);
    await s.set('c', v('z'));
    expect(s.getSync('a')).toBeUndefined();
    await s.set('huge', v('h'.repeat(50)));
    expect(s.getSync('huge')).toBeUndefined();
  });

  it('drops expired records on read', async () => {
    const s = store();
    await s.set('a', { ...v('1'), expires: Date.now() - 1 } as never);
    expect(await s.get('a')).toBeUndefined();
    expect(s.size).toBe(0);
  });

  it('purges by tag and by prefix, keeping the tag index in step', async () => {
    const s = store(10);
    await s.set('r:web:/products/1|pub', v('1', ['product:1']));
    await s.set('r:web:/products/2|pub', v('2', ['product:2']));
    await s.set('r:mob:/products/1|pub', v('3', ['product:1']));
    expect(s.deleteTag('product:1')).toBe(2);
    expect(s.deleteTag('product:1')).toBe(0);
    expect(s.size).toBe(1);
    expect(s.deletePrefix('r:web:')).toBe(1);
    expect(s.size).toBe(0);
    expect(s.byteSize).toBe(0);
  });

  it('keeps the tag index in step with evictions and overwrites', async () => {
    const s = store(2);
    await s.set('a', v('1', ['t']));
    await s.set('a', v('2', ['t'])); // overwrite: same key, same tag
    await s.set('b', v('3', ['t']));
    await s.set('c', v('4', ['u'])); // evicts a
    expect(s.deleteTag('t')).toBe(1);
    expect(s.deleteTag('u')).toBe(1);
    expect(s.size).toBe(0);
    expect(s.byteSize).toBe(0);
  });
});
