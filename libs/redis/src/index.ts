export {
  createRedisClient,
  subscribeOnReady,
  whenReady,
  closeRedisClient,
  isCluster,
  hashTag,
  unlinkKeys,
  scanTargets,
} from './redis.client';
export type { Redis } from './redis.client';
export { redisUsesOf } from './redis.uses';
