export { createRedisClient, subscribeOnReady, whenReady, closeRedisClient } from './redis.client';
export { redisUsesOf } from './redis.uses';
export type { Redis } from 'ioredis';
