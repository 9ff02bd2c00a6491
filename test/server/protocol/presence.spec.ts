import { beforeEach, describe, expect, it } from 'vitest';
import { RawClient, useEngine, TEST_APP, type EngineHarness } from '../support/engine-harness.js';

const engines = useEngine();
let harness: EngineHarness;
beforeEach(async () => {
  harness = await engines.start({
    apps: [{ ...TEST_APP, limits: { maxPresenceMembers: 3, maxPresenceMemberBytes: 200 } }],
  });
});

const room = 'presence-room.1';
const alice = { user_id: 'alice', user_info: { name: 'Alice' } };
const bob = { user_id: 'bob', user_info: { name: 'Bob' } };
const data = (frame: { data?: unknown }) => JSON.parse(frame.data as string);

describe('presence channels', () => {
  it('answers subscription_succeeded with ids, hash and count', async () => {
    const a = await RawClient.connect(harness.url());
    const b = await RawClient.connect(harness.url());
    await a.subscribe(room, alice);
    const frame = await b.subscribe(room, bob);
    expect(frame.event).toBe('pusher_internal:subscription_succeeded');
    expect(data(frame)).toEqual({
      presence: {
        ids: ['alice', 'bob'],
        hash: { alice: { name: 'Alice' }, bob: { name: 'Bob' } },
        count: 2,
      },
    });
    a.close();
    b.close();
  });

  it('sends member_added to the others only', async () => {
    const a = await RawClient.connect(harness.url());
    const b = await RawClient.connect(harness.url());
    await a.subscribe(room, alice);
    await b.subscribe(room, bob);
    const added = await a.next('pusher_internal:member_added', room);
    expect(data(added)).toEqual({ user_id: 'bob', user_info: { name: 'Bob' } });
    await b.flush();
    expect(b.all('pusher_internal:member_added')).toEqual([]);
    a.close();
    b.close();
  });

  it('counts a user with two connections as one member, with one member_added', async () => {
    const watcher = await RawClient.connect(harness.url());
    await watcher.subscribe(room, bob);
    const tab1 = await RawClient.connect(harness.url());
    const tab2 = await RawClient.connect(harness.url());
    await tab1.subscribe(room, alice);
    const second = await tab2.subscribe(room, alice);
    expect(data(second).presence.count).toBe(2);
    expect(data(second).presence.ids).toEqual(['bob', 'alice']);
    await watcher.flush();
    expect(watcher.all('pusher_internal:member_added', room)).toHaveLength(1);
    const stats = await harness.engine.channel(TEST_APP.id, room);
    expect(stats).toMatchObject({ subscriptionCount: 3, userCount: 2 });
    expect(await harness.engine.presenceUsers(TEST_APP.id, room)).toEqual([
      { id: 'bob' },
      { id: 'alice' },
    ]);
    [watcher, tab1, tab2].forEach((c) => c.close());
  });

  it("sends member_removed only when the user's last connection leaves", async () => {
    const watcher = await RawClient.connect(harness.url());
    await watcher.subscribe(room, bob);
    const tab1 = await RawClient.connect(harness.url());
    const tab2 = await RawClient.connect(harness.url());
    await tab1.subscribe(room, alice);
    await tab2.subscribe(room, alice);
    tab1.close();
    await tab1.closed();
    await watcher.flush();
    expect(watcher.all('pusher_internal:member_removed')).toEqual([]);
    tab2.send({ event: 'pusher:unsubscribe', data: { channel: room } });
    const removed = await watcher.next('pusher_internal:member_removed', room);
    expect(data(removed)).toEqual({ user_id: 'alice' });
    expect(await harness.engine.presenceUsers(TEST_APP.id, room)).toEqual([{ id: 'bob' }]);
    watcher.close();
    tab2.close();
  });

  it('removes the member when the socket disconnects', async () => {
    const watcher = await RawClient.connect(harness.url());
    await watcher.subscribe(room, bob);
    const a = await RawClient.connect(harness.url());
    await a.subscribe(room, alice);
    a.ws.terminate();
    expect(data(await watcher.next('pusher_internal:member_removed', room))).toEqual({
      user_id: 'alice',
    });
    watcher.close();
  });

  it('keeps member counts right across double subscribe and sub-unsub-sub', async () => {
    const watcher = await RawClient.connect(harness.url());
    await watcher.subscribe(room, bob);
    const a = await RawClient.connect(harness.url());
    await a.subscribe(room, alice);
    await a.subscribe(room, alice);
    a.send({ event: 'pusher:unsubscribe', data: { channel: room } });
    a.send({ event: 'pusher:unsubscribe', data: { channel: room } });
    await a.subscribe(room, alice);
    await watcher.flush();
    expect(watcher.all('pusher_internal:member_added')).toHaveLength(2);
    expect(watcher.all('pusher_internal:member_removed')).toHaveLength(1);
    expect(await harness.engine.channel(TEST_APP.id, room)).toMatchObject({
      subscriptionCount: 2,
      userCount: 2,
    });
    watcher.close();
    a.close();
  });

  it('accepts a numeric user_id and reports it as a string id', async () => {
    const a = await RawClient.connect(harness.url());
    const frame = await a.subscribe(room, { user_id: 10, user_info: { name: 'Mr. Pusher' } });
    expect(data(frame).presence.ids).toEqual(['10']);
    a.close();
  });

  it('refuses presence without channel_data, even with a valid signature', async () => {
    const a = await RawClient.connect(harness.url());
    // A correct signature over "socket_id:channel": only the missing channel_data is wrong.
    const frame = await a.subscribe(room);
    expect(frame.event).toBe('pusher:subscription_error');
    expect(data(frame)).toEqual({
      type: 'AuthError',
      error: `Presence channel ${room} needs channel_data (a JSON string with user_id).`,
      status: 401,
    });
    expect(await harness.engine.presenceUsers(TEST_APP.id, room)).toEqual([]);
    a.close();
  });

  it('refuses channel_data signed for different user data', async () => {
    const a = await RawClient.connect(harness.url());
    const { authFor } = await import('../support/engine-harness.js');
    const signed = authFor(a.socketId!, room, alice);
    a.send({
      event: 'pusher:subscribe',
      data: { ...signed, channel_data: JSON.stringify({ user_id: 'mallory' }) },
    });
    expect(data(await a.next('pusher:subscription_error', room)).status).toBe(401);
    a.close();
  });

  it('refuses channel_data without a user_id', async () => {
    const a = await RawClient.connect(harness.url());
    const frame = await a.subscribe(room, { user_info: {} });
    expect(frame.event).toBe('pusher:subscription_error');
    expect(data(frame).status).toBe(400);
    a.close();
  });

  it('refuses user_info over maxPresenceMemberBytes', async () => {
    const a = await RawClient.connect(harness.url());
    const frame = await a.subscribe(room, { user_id: 'big', user_info: { x: 'y'.repeat(300) } });
    expect(frame.event).toBe('pusher:subscription_error');
    expect(data(frame).status).toBe(413);
    a.close();
  });

  it('refuses a new member over maxPresenceMembers but admits another tab of a member', async () => {
    const clients = await Promise.all([0, 1, 2, 3, 4].map(() => RawClient.connect(harness.url())));
    for (let i = 0; i < 3; i++) await clients[i].subscribe(room, { user_id: `u${i}` });
    const refused = await clients[3].subscribe(room, { user_id: 'u3' });
    expect(refused.event).toBe('pusher:subscription_error');
    const tab = await clients[4].subscribe(room, { user_id: 'u0' });
    expect(tab.event).toBe('pusher_internal:subscription_succeeded');
    clients.forEach((c) => c.close());
  });

  it('handles frames sent right behind a presence subscribe in order', async () => {
    const { authFor } = await import('../support/engine-harness.js');
    const watcher = await RawClient.connect(harness.url());
    await watcher.subscribe(room, bob);
    const a = await RawClient.connect(harness.url());
    a.send({ event: 'pusher:subscribe', data: authFor(a.socketId!, room, alice) });
    a.send({ event: 'client-hello', channel: room, data: { n: 1 } });
    a.send({ event: 'pusher:unsubscribe', data: { channel: room } });
    expect((await watcher.next('client-hello', room)).user_id).toBe('alice');
    await watcher.next('pusher_internal:member_removed', room);
    const order = watcher.frames
      .filter((f) => f.channel === room)
      .map((f) => f.event)
      .slice(1);
    expect(order).toEqual([
      'pusher_internal:member_added',
      'client-hello',
      'pusher_internal:member_removed',
    ]);
    expect(a.all('pusher:error')).toEqual([]);
    watcher.close();
    a.close();
  });
});
