// Horizontal scaling over Redis (`scaling: 'redis'`). The server builds the adapter itself;
// these exports are for hosts that construct an engine by hand and for `GET /up` typing.
export { RedisScalingAdapter } from './redis-scaling.adapter.js';
export type { RedisScalingOptions, ScalingHealth } from './redis-scaling-options.interface.js';
export { SCALING_NAMESPACE } from './start-redis-scaling.js';
