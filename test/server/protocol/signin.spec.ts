import { beforeEach, describe, expect, it } from 'vitest';
import {
  RawClient,
  useEngine,
  TEST_APP,
  waitFor,
  waitForAsync,
  type EngineHarness,
} from '../support/engine-harness.js';

const engines = useEngine();
let harness: EngineHarness;
beforeEach(async () => {
  harness = await engines.start();
});

describe('user sign-in', () => {
  it('answers a valid pusher:signin with signin_success carrying the user_data', async () => {
    const client = await RawClient.connect(harness.url());
    const frame = await client.signin({ id: 'u1', name: 'Ann' });
    expect(JSON.parse(frame.data as string)).toEqual({ user_data: '{"id":"u1","name":"Ann"}' });
    client.close();
  });

  it('closes with 4009 on a bad signin signature', async () => {
    const client = await RawClient.connect(harness.url());
    client.send({
      event: 'pusher:signin',
      data: { user_data: '{"id":"u1"}', auth: `${TEST_APP.key}:${'a'.repeat(64)}` },
    });
    expect(await client.closed()).toBe(4009);
    expect(client.all('pusher:error')[0].data).toMatchObject({ code: 4009 });
  });

  it('closes with 4009 when user_data has no string id', async () => {
    const client = await RawClient.connect(harness.url());
    const { signUser } = await import('../../../lib/shared/pusher-protocol/signatures.js');
    const json = '{"id":5}';
    client.send({
      event: 'pusher:signin',
      data: {
        user_data: json,
        auth: signUser(TEST_APP.key, TEST_APP.secret, client.socketId!, json),
      },
    });
    expect(await client.closed()).toBe(4009);
  });

  it('lets only the signed-in owner subscribe to #server-to-user-{id}', async () => {
    const owner = await RawClient.connect(harness.url());
    const other = await RawClient.connect(harness.url());
    await owner.signin({ id: 'u1' });
    expect((await owner.subscribe('#server-to-user-u1')).event).toBe(
      'pusher_internal:subscription_succeeded',
    );
    const refused = await other.subscribe('#server-to-user-u1');
    expect(refused.event).toBe('pusher:subscription_error');
    expect(JSON.parse(refused.data as string).status).toBe(403);
    await other.signin({ id: 'u2' });
    expect((await other.subscribe('#server-to-user-u1')).event).toBe('pusher:subscription_error');
    owner.close();
    other.close();
  });

  it('delivers sendToUser events to a pusher-js client after signin', async () => {
    const pusher = engines.pusher({ userData: { id: 'u7' } });
    const received: unknown[] = [];
    pusher.user.bind('invoice.paid', (data: unknown) => received.push(data));
    pusher.signin();
    // pusher-js subscribes to #server-to-user-u7 by itself once signin_success arrives.
    await waitForAsync(
      async () => (await harness.engine.channel(TEST_APP.id, '#server-to-user-u7')).occupied,
    );
    harness.engine.publish(TEST_APP.id, ['#server-to-user-u7'], 'invoice.paid', '{"n":1}');
    expect(await waitFor(() => received[0])).toEqual({ n: 1 });
  });

  it("terminateUserConnections closes every socket of that user with 4009 and no other's", async () => {
    const tab1 = await RawClient.connect(harness.url());
    const tab2 = await RawClient.connect(harness.url());
    const other = await RawClient.connect(harness.url());
    await tab1.signin({ id: 'u1' });
    await tab2.signin({ id: 'u1' });
    await other.signin({ id: 'u2' });
    await harness.engine.terminateUserConnections(TEST_APP.id, 'u1');
    expect(await tab1.closed()).toBe(4009);
    expect(await tab2.closed()).toBe(4009);
    await other.flush();
    expect(other.closeCode).toBeUndefined();
    other.close();
  });
});
