import { Test } from '@nestjs/testing';
import { BroadcastConfigError, BroadcastModule, Broadcastable } from 'nestjs-broadcasting';
import { describe, expect, it } from 'vitest';

// Any decorated event may be queued (queue.default), so its retry settings are checked at boot.
@Broadcastable({ attempts: 0 })
class TriedNever {
  broadcastOn() {
    return 'orders';
  }
}

describe("an event's own retry settings are checked at boot", () => {
  it('fails the boot on bad attempts, naming the event and the option', async () => {
    expect(new TriedNever().broadcastOn()).toBe('orders');
    const moduleRef = await Test.createTestingModule({
      imports: [BroadcastModule.forRoot({ queue: { url: 'redis://127.0.0.1:1' } })],
    }).compile();
    const error = await moduleRef.init().then(
      () => undefined,
      (e: unknown) => e,
    );
    await moduleRef.close().catch(() => undefined);
    expect(error).toBeInstanceOf(BroadcastConfigError);
    expect((error as Error).message).toBe(
      'Invalid @Broadcastable() option attempts = 0 on TriedNever: must be a whole number of at least 1.',
    );
  });
});
