export {
  createRedisClient,
  subscribeOnReady,
  whenReady,
  closeRedisClient,
  reconnectDelayMs,
} from './redis.client';
export type { RedisClientOptions } from './redis.client';
export { REDIS_FAILURE_POLICIES, redisUsesOf } from './redis.uses';
export type { RedisUse, RedisFailurePolicy, AppRedisUse } from './redis.uses';
export type { Redis } from 'ioredis';
