export { BroadcasterFake, type RecordedBroadcast } from './broadcaster.fake.js';
export { createFakeBroadcastManager, FakeBroadcastManager } from './fake-broadcast-manager.js';
export { BroadcastTestingModule } from './broadcast-testing.module.js';
