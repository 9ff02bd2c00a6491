// The `nestjs-broadcasting/health` entry: the only one that imports `@nestjs/terminus`, an
// optional peer, so apps without it never load it.
export { BroadcastHealthIndicator } from './broadcast-health.indicator.js';
