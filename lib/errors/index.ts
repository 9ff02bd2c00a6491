export * from './broadcast.exception.js';
