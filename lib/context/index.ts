export * from './socket-id.context.js';
export * from './socket-id.middleware.js';
