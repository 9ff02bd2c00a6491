export * from './broadcaster.interface.js';
export * from './local-hub.js';
export { NullBroadcaster } from './null.broadcaster.js';
export { LogBroadcaster } from './log.broadcaster.js';
export { LocalBroadcaster } from './local.broadcaster.js';
export {
  RedisBroadcaster,
  type RedisBroadcasterOptions,
  type RedisPublisher,
} from './redis.broadcaster.js';
export { PusherBroadcaster, type PusherBroadcasterOptions } from './pusher.broadcaster.js';
