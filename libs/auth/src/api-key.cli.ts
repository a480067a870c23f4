import type { BffConfig } from '@app/config';
import type { Tier } from '@app/core';
import { parseArgs } from 'node:util';
import {
  type ApiKeyAdmin,
  createApiKeyStore,
  generateApiKey,
  newApiKeyRecord,
} from './api-key.store';

const USAGE = `usage:
  npm run apikey -- create --client NAME [--tier standard|premium|internal] [--roles a,b] [--scopes x,y]
  npm run apikey -- revoke (--id ID | --client NAME)
  npm run apikey -- list`;

const TIERS: readonly Tier[] = ['standard', 'premium', 'internal'];
const NAME = /^[A-Za-z0-9_.:-]{1,64}$/;

const csv = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * The `npm run apikey` command: creates a key (printed once, stored only as its hash), revokes
 * keys (running BFFs stop accepting them without a restart) or lists them. Returns the exit code.
 */
export async function runApiKeyCli(
  argv: readonly string[],
  config: BffConfig,
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  store: ApiKeyAdmin = createApiKeyStore(config.auth.apiKeys, config.redis),
): Promise<number> {
  const [command, ...rest] = argv;
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({
      args: rest,
      options: {
        client: { type: 'string' },
        tier: { type: 'string' },
        roles: { type: 'string' },
        scopes: { type: 'string' },
        id: { type: 'string' },
      },
      strict: true,
    }).values as Record<string, string | undefined>;
  } catch (error) {
    print(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const where =
    config.auth.apiKeys.store === 'redis'
      ? `redis ${config.redisUrl ?? ''}`
      : `file ${config.auth.apiKeys.file}`;
  try {
    if (command === 'create') {
      const tier = (values.tier ?? 'standard') as Tier;
      if (values.client === undefined || !NAME.test(values.client) || !TIERS.includes(tier)) {
        print(`create needs --client NAME and a valid --tier\n${USAGE}`);
        return 2;
      }
      const key = generateApiKey();
      const record = newApiKeyRecord(key, {
        client: values.client,
        tier,
        roles: csv(values.roles),
        scopes: csv(values.scopes),
      });
      await store.add(record);
      print(key);
      print(
        `id ${record.id} client ${record.client} tier ${record.tier} (${where}); the key is not shown again`,
      );
      return 0;
    }
    if (command === 'revoke') {
      if (values.id === undefined && values.client === undefined) {
        print(`revoke needs --id or --client\n${USAGE}`);
        return 2;
      }
      const revoked = await store.revoke(
        (r) =>
          (values.id !== undefined && r.id === values.id) ||
          (values.client !== undefined && r.client === values.client),
      );
      for (const r of revoked) print(`revoked ${r.id} client ${r.client}`);
      if (revoked.length === 0) print('no active key matched');
      return revoked.length === 0 ? 1 : 0;
    }
    if (command === 'list') {
      for (const r of await store.list()) {
        print(
          `${r.id}  ${r.client}  ${r.tier}  created ${r.createdAt}${r.revokedAt ? `  revoked ${r.revokedAt}` : ''}`,
        );
      }
      return 0;
    }
    print(USAGE);
    return 2;
  } finally {
    await store.close();
  }
}
