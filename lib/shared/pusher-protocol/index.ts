export * from './channel-names.js';
export * from './signatures.js';
