import { describe, expect, it } from 'vitest';
import { RawClient, TEST_APP, useEngine, waitFor } from '../support/engine-harness.js';

/** limits.maxChannelsPerConnection: what a client past it sees, and what it may still do. */
const engines = useEngine();
const limited = { apps: [{ ...TEST_APP, limits: { maxChannelsPerConnection: 3 } }] };

describe('maxChannelsPerConnection', () => {
  it('refuses the next subscription with LimitReached 4301, naming the limit, and keeps the socket', async () => {
    const harness = await engines.start(limited);
    const client = await RawClient.connect(harness.url());
    for (const channel of ['a', 'private-b', 'c'])
      expect((await client.subscribe(channel)).event).toBe(
        'pusher_internal:subscription_succeeded',
      );
    const refused = await client.subscribe('d');
    expect(refused.event).toBe('pusher:subscription_error');
    expect(JSON.parse(refused.data as string)).toEqual({
      type: 'LimitReached',
      error:
        'Not subscribed to d: this connection is on 3 channels already ' +
        '(limits.maxChannelsPerConnection). Unsubscribe from one first.',
      status: 4301,
    });

    // Still open and still served: its channels deliver, and a freed slot can be taken.
    harness.engine.publish(TEST_APP.id, ['a'], 'still', '{}');
    await client.next('still', 'a');
    client.send({ event: 'pusher:unsubscribe', data: { channel: 'c' } });
    expect((await client.subscribe('d')).event).toBe('pusher_internal:subscription_succeeded');
    expect(client.closeCode).toBeUndefined();
    client.close();
  });

  it('counts channels per connection, not per app', async () => {
    const harness = await engines.start(limited);
    const first = await RawClient.connect(harness.url());
    const second = await RawClient.connect(harness.url());
    for (const channel of ['a', 'b', 'c']) await first.subscribe(channel);
    for (const channel of ['a', 'b', 'c'])
      expect((await second.subscribe(channel)).event).toBe(
        'pusher_internal:subscription_succeeded',
      );
    first.close();
    second.close();
  });

  it('answers a repeated subscription to a channel it holds, even at the limit', async () => {
    const harness = await engines.start(limited);
    const client = await RawClient.connect(harness.url());
    for (const channel of ['a', 'b', 'c']) await client.subscribe(channel);
    expect((await client.subscribe('b')).event).toBe('pusher_internal:subscription_succeeded');
    client.close();
  });

  it('reaches pusher-js as a subscription_error with the type and status', async () => {
    await engines.start(limited);
    const pusher = engines.pusher();
    const errors: unknown[] = [];
    for (const name of ['a', 'b', 'c', 'd'])
      pusher.subscribe(name).bind('pusher:subscription_error', (e: unknown) => errors.push(e));
    await waitFor(() => errors.length === 1, 10_000, 'the refusal');
    expect(errors[0]).toMatchObject({ type: 'LimitReached', status: 4301 });
  });
});
