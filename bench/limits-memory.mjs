// What the per-connection limits cost the server in memory, roughly: heap bytes per
// subscription (a new channel, or one more subscriber of an existing channel) and per
// presence membership. The server runs in a child process (node --expose-gc) so the
// clients' memory is not counted; its heap is read after forced GCs before and after.
//
//   npm run build && node bench/limits-memory.mjs [--subscriptions=20000]
//
// docs/server.md ("What the limits cost") quotes a run of this script.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const APP = { id: 'mem', key: 'mem-key', secret: 'mem-secret' };

if (process.argv[2] === 'server') {
  const { startBroadcastServer } = await import('../dist/server/index.js');
  const huge = 10_000_000;
  const server = await startBroadcastServer({
    apps: [{ ...APP, limits: { maxChannelsPerConnection: huge, maxPresenceMembers: huge } }],
    host: '127.0.0.1',
    port: 0,
    logger: false,
    redis: false,
    localHub: false,
  });
  process.on('message', async (message) => {
    if (message !== 'heap') return;
    for (let i = 0; i < 4; i++) {
      global.gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    process.send({ heap: process.memoryUsage().heapUsed });
  });
  process.send({ port: server.port });
} else {
  const count = Number(
    process.argv.find((a) => a.startsWith('--subscriptions='))?.split('=')[1] ?? 20_000,
  );
  const { signChannel } = await import('../dist/shared/pusher-protocol/signatures.js');
  const child = fork(fileURLToPath(import.meta.url), ['server'], { execArgv: ['--expose-gc'] });
  const replies = [];
  const waiters = [];
  child.on('message', (m) => (waiters.length ? waiters.shift()(m) : replies.push(m)));
  const reply = () =>
    new Promise((resolve) => (replies.length ? resolve(replies.shift()) : waiters.push(resolve)));
  const { port } = await reply();
  const heap = async () => {
    child.send('heap');
    return (await reply()).heap;
  };

  /** A raw connection that subscribes to `channels` and resolves once all are confirmed. */
  const connect = () =>
    new Promise((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/app/${APP.key}?protocol=7`);
      ws.on('message', (raw) => {
        const frame = JSON.parse(raw);
        if (frame.event === 'pusher:connection_established')
          resolve({ ws, socketId: JSON.parse(frame.data).socket_id });
      });
    });
  /** Subscribes in windows of 100: a client may have at most 256 frames waiting on the server. */
  const subscribeAll = async (client, channels, member) => {
    const data = member && JSON.stringify(member);
    for (let start = 0; start < channels.length; start += 100) {
      const window = channels.slice(start, start + 100);
      await new Promise((resolve, reject) => {
        let left = window.length;
        const onMessage = (raw) => {
          const frame = JSON.parse(raw);
          if (frame.event === 'pusher:subscription_error') reject(new Error(String(raw)));
          if (frame.event !== 'pusher_internal:subscription_succeeded' || --left > 0) return;
          client.ws.off('message', onMessage);
          resolve();
        };
        client.ws.on('message', onMessage);
        for (const channel of window)
          client.ws.send(
            JSON.stringify({
              event: 'pusher:subscribe',
              data: member
                ? {
                    channel,
                    channel_data: data,
                    auth: signChannel(APP.key, APP.secret, client.socketId, channel, data),
                  }
                : { channel },
            }),
          );
      });
    }
  };
  const names = (prefix) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  const perItem = (before, after) => Math.round((after - before) / count);

  const first = await connect();
  const second = await connect();
  const base = await heap();
  await subscribeAll(first, names('room'));
  const afterNew = await heap();
  await subscribeAll(second, names('room'));
  const afterShared = await heap();
  const member = { user_id: 'u-1', user_info: { name: 'x'.repeat(100) } };
  await subscribeAll(first, names('presence-room'), member);
  const afterPresence = await heap();

  console.log(`${count} subscriptions each, one connection, server heap after forced GCs:`);
  console.log(`  a new channel (first subscriber):        ${perItem(base, afterNew)} bytes`);
  console.log(`  one more subscriber of a channel:        ${perItem(afterNew, afterShared)} bytes`);
  console.log(
    `  a presence channel, 100-byte user_info:  ${perItem(afterShared, afterPresence)} bytes`,
  );
  first.ws.close();
  second.ws.close();
  child.kill();
}
