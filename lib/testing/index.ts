export {
  BroadcasterFake,
  type RecordedBroadcast,
  type RecordedQueuedBroadcast,
} from './broadcaster.fake.js';
// FakeBroadcastManager as a type only: createFakeBroadcastManager() returns it (with its
// `fake`), and is the one way to make one.
export { createFakeBroadcastManager, type FakeBroadcastManager } from './fake-broadcast-manager.js';
export { BroadcastTestingModule } from './broadcast-testing.module.js';
export type { BroadcastTestingOptions } from './testing-config.js';
