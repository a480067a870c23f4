import type { BffConfig } from '@app/config';
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runApiKeyCli } from './api-key.cli';
import { FileApiKeyStore, hashApiKey } from './api-key.store';

const until = async (check: () => Promise<boolean>) => {
  const end = Date.now() + 2000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('API keys: file store and CLI', () => {
  let dir: string;
  let file: string;
  let config: BffConfig;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apikeys-'));
    file = join(dir, 'keys.json');
    config = {
      redisUrl: undefined,
      redis: { url: undefined, commandTimeoutMs: 250 },
      auth: { apiKeys: { store: 'file', file, cacheMs: 0 } },
    } as unknown as BffConfig;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const cli = async (...args: string[]) => {
    const lines: string[] = [];
    const code = await runApiKeyCli(args, config, (l) => lines.push(l));
    return { code, lines };
  };

  it('creates (printing the key once, storing its hash), lists and revokes; a running store follows', async () => {
    const store = new FileApiKeyStore(file);
    await store.start();
    const created = await cli('create', '--client', 'acme', '--tier', 'premium', '--scopes', 'a,b');
    expect(created.code).toBe(0);
    const [key, info] = created.lines;
    const hash = hashApiKey(key);
    await until(async () => (await store.find(hash)) !== undefined);
    expect(await store.find(hash)).toMatchObject({
      client: 'acme',
      tier: 'premium',
      scopes: ['a', 'b'],
    });
    expect(info).toMatch(/^id [0-9a-f]{12} client acme tier premium/);

    const listed = await cli('list');
    expect(listed.lines[0]).toContain('acme');
    expect(listed.lines.join('\n')).not.toContain(key);

    expect((await cli('revoke', '--client', 'acme')).code).toBe(0);
    await until(async () => (await store.find(hash)) === undefined);
    expect((await cli('revoke', '--client', 'acme')).code).toBe(1);
    await store.close();
  });

  it('keeps the previous keys when the file is broken', async () => {
    const store = new FileApiKeyStore(file);
    const { lines } = await cli('create', '--client', 'acme');
    await store.start();
    const hash = hashApiKey(lines[0]);
    expect(await store.find(hash)).toBeDefined();
    await writeFile(file, '{ not json');
    await new Promise((r) => setTimeout(r, 100));
    expect(await store.find(hash)).toBeDefined();
    await store.close();
  });

  it('refuses bad arguments with usage and exit code 2', async () => {
    expect((await cli('create')).code).toBe(2);
    expect((await cli('create', '--client', 'a b')).code).toBe(2);
    expect((await cli('create', '--client', 'x', '--tier', 'gold')).code).toBe(2);
    expect((await cli('revoke')).code).toBe(2);
    expect((await cli('explode')).code).toBe(2);
    expect((await cli('create', '--bogus')).code).toBe(2);
  });
});
