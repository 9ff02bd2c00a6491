import Echo from 'laravel-echo';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  authFor,
  localPusherOptions,
  Pusher,
  TEST_APP,
  useEngine,
  waitFor,
} from '../support/engine-harness.js';

const engines = useEngine();
let harness;
const echos = [];
beforeEach(async () => {
  harness = await engines.start();
});
afterEach(() => {
  echos.splice(0).forEach((echo) => echo.disconnect());
});

/** laravel-echo 2 with pusher-js passed in, signing channels like a correct auth endpoint. */
function echoFor(user, { forge = false } = {}) {
  const echo = new Echo({
    broadcaster: 'pusher',
    Pusher,
    key: TEST_APP.key,
    ...localPusherOptions(harness.port),
    channelAuthorization: {
      endpoint: '/unused',
      transport: 'ajax',
      customHandler: ({ socketId, channelName }, callback) => {
        const member = channelName.startsWith('presence-') ? user : undefined;
        const auth = authFor(socketId, channelName, member);
        // A forged signature: the server itself must refuse it.
        if (forge) auth.auth = `${TEST_APP.key}:${'f'.repeat(64)}`;
        callback(null, auth);
      },
    },
  });
  echos.push(echo);
  return echo;
}

const subscribed = (channel) => new Promise((resolve) => channel.subscribed(resolve));

describe('laravel-echo against the engine', () => {
  it('private(...).listen(".order.shipped") receives a published event', async () => {
    const echo = echoFor();
    const got = [];
    const channel = echo.private('orders.5').listen('.order.shipped', (e) => got.push(e));
    await subscribed(channel);
    harness.engine.publish(TEST_APP.id, ['private-orders.5'], 'order.shipped', '{"id":5}');
    expect(await waitFor(() => got[0])).toEqual({ id: 5 });
  });

  it('join(...).here / joining / leaving follow the roster', async () => {
    const alice = echoFor({ user_id: 'alice', user_info: { name: 'Alice' } });
    let here;
    const joined = [];
    const left = [];
    alice
      .join('room.1')
      .here((members) => (here = members))
      .joining((m) => joined.push(m))
      .leaving((m) => left.push(m));
    await waitFor(() => here);
    expect(here).toEqual([{ name: 'Alice' }]);

    const bob = echoFor({ user_id: 'bob', user_info: { name: 'Bob' } });
    let bobHere;
    bob.join('room.1').here((members) => (bobHere = members));
    await waitFor(() => bobHere);
    expect(bobHere).toHaveLength(2);
    expect(await waitFor(() => joined[0])).toEqual({ name: 'Bob' });

    bob.leave('room.1');
    expect(await waitFor(() => left[0])).toEqual({ name: 'Bob' });
  });

  it('whisper reaches listenForWhisper on the other client, not the sender', async () => {
    const a = echoFor({ user_id: 'a' });
    const b = echoFor({ user_id: 'b' });
    const heardByB = [];
    const heardByA = [];
    const marks = [];
    const chA = a
      .private('chat.1')
      .listenForWhisper('typing', (e) => heardByA.push(e))
      .listen('.mark', (e) => marks.push(e));
    const chB = b.private('chat.1').listenForWhisper('typing', (e) => heardByB.push(e));
    await Promise.all([subscribed(chA), subscribed(chB)]);
    chA.whisper('typing', { name: 'A' });
    expect(await waitFor(() => heardByB[0])).toEqual({ name: 'A' });
    // A server event sent after the whisper reaches A after any echo would have.
    harness.engine.publish(TEST_APP.id, ['private-chat.1'], 'mark', '{}');
    await waitFor(() => marks[0]);
    expect(heardByA).toEqual([]);
  });

  it('.error() hears the server refusing a forged signature', async () => {
    const echo = echoFor(undefined, { forge: true });
    let error;
    echo.private('secret.1').error((e) => (error = e));
    await waitFor(() => error);
    expect(error).toMatchObject({ type: 'AuthError', status: 401 });
    expect(error.error).toMatch(/Invalid signature/);
  });
});
