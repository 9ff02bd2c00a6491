/**
 * How long a cache channel remembers its last event: 30 minutes, like Pusher. A subscriber
 * arriving later gets `pusher:cache_miss` instead.
 */
export const CACHE_TTL_MS = 30 * 60 * 1000;
