import { Test } from '@nestjs/testing';
import {
  BroadcastConfigError,
  BroadcastModule,
  Broadcastable,
  type BroadcastModuleOptions,
} from 'nestjs-broadcasting';
import { describe, expect, it } from 'vitest';

// Decorated classes are checked at boot when a queue is configured (this file's only).
@Broadcastable({ queue: 'nope' })
class GoesToAnUnknownQueue {
  broadcastOn() {
    return 'orders';
  }
}

@Broadcastable({ queue: true, connection: 'missing' })
class SendsThroughAnUnknownConnection {
  broadcastOn() {
    return 'orders';
  }
}

async function bootError(options: BroadcastModuleOptions): Promise<BroadcastConfigError> {
  const moduleRef = await Test.createTestingModule({
    imports: [BroadcastModule.forRoot(options)],
  }).compile();
  const error = await moduleRef.init().then(
    () => undefined,
    (e: unknown) => e,
  );
  await moduleRef.close().catch(() => undefined);
  expect(error).toBeInstanceOf(BroadcastConfigError);
  return error as BroadcastConfigError;
}

describe('queue names and connections are checked at boot', () => {
  it('fails the boot on an unknown queue name, naming the event', async () => {
    expect(new GoesToAnUnknownQueue().broadcastOn()).toBe('orders');
    const error = await bootError({ queue: { name: 'broadcasts', queues: ['low'] } });
    expect(error.message).toBe(
      'Unknown broadcast queue "nope" (the queue of GoesToAnUnknownQueue). Known queues: broadcasts, low. ' +
        'Add it to queue.queues, or use queue.name.',
    );
    expect(error.key).toBe('queue.queues');
  });

  it('fails the boot on an unknown connection of a queued event, naming the event', async () => {
    expect(new SendsThroughAnUnknownConnection().broadcastOn()).toBe('orders');
    const error = await bootError({ queue: { queues: ['nope'] } });
    expect(error.message).toMatch(
      /^Unknown broadcast connection "missing" \(the connection of SendsThroughAnUnknownConnection\)\. Known: .*null.*redis.*\. Add it under "connections" or register a driver with the "drivers" option\.$/,
    );
    expect(error.key).toBe('connection');
  });

  it('boots when every name is known, without touching Redis', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        BroadcastModule.forRoot({
          queue: { url: 'redis://127.0.0.1:1', queues: ['nope'] },
          connections: { missing: { driver: 'null' } },
        }),
      ],
    }).compile();
    await expect(moduleRef.init()).resolves.toBeDefined();
    await moduleRef.close();
  });
});
