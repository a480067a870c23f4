/**
 * The machine's shared Redis (`REDIS_URL`, else the local default), in one place. Tests use it
 * only under keys of their own (a random prefix); a test that kills, freezes or fills Redis starts
 * its own instead (`RedisProcess`, redis-server.ts).
 */
export const SHARED_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
