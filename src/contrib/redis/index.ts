/**
 * luigi-ts/redis: a marker key in Redis (Luigi's luigi.contrib.redis_store), on node-redis (`redis`),
 * an optional peer dependency loaded on first use. Connection: a target's URL, else `[redis] url`,
 * else REDIS_URL, else redis://localhost:6379.
 */
export { RedisTarget, type RedisTargetOptions } from "./target.js";
export { closeRedisConnections } from "./client.js";
