/**
 * Publisher child: publishes `count` events at `rate` per second, open loop. Message i is
 * due at start + i/rate and carries that intended time, whether or not the publisher (or the
 * server's back-pressure) made it late, so latency is measured against the schedule.
 * Paths: `http` (a signed Pusher HTTP API `POST /apps/{id}/events`, keep-alive) and `redis`
 * (PUBLISH of Laravel's body `{"event","data","socket":null}` on prefix + channel).
 */
import { Agent, request } from 'node:http';
import { serveRequests, makeClock } from './ipc-child.mjs';
import { benchPayload } from './bench-payload.mjs';
import { md5Hex, signHttpRequest } from '../../dist/shared/pusher-protocol/index.js';

const now = makeClock();
const agent = new Agent({ keepAlive: true, maxSockets: 16 });
let redisClient;

function httpSender({ port, app }) {
  const path = `/apps/${app.id}/events`;
  const post = (channel, event, payload, retried) =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({
        name: event,
        channels: [channel],
        data: JSON.stringify(payload),
      });
      const query = {
        auth_key: app.key,
        auth_timestamp: String(Math.floor(Date.now() / 1000)),
        auth_version: '1.0',
        body_md5: md5Hex(body),
      };
      const signature = signHttpRequest(app.secret, 'POST', path, query);
      const search = new URLSearchParams({ ...query, auth_signature: signature });
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: `${path}?${search}`,
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`)),
          );
        },
      );
      req.on('error', (error) => {
        // A kept-alive socket the server closed just as it was reused: Node's documented
        // race; retry once on a fresh socket rather than count a harness artefact as a loss.
        if (req.reusedSocket && error.code === 'ECONNRESET' && !retried) {
          post(channel, event, payload, true).then(resolve, reject);
        } else reject(error);
      });
      req.end(body);
    });
  return (channel, event, payload) => post(channel, event, payload, false);
}

async function redisSender({ redis }) {
  if (!redisClient) {
    const { default: Redis } = await import('ioredis');
    redisClient = new Redis(redis.url, { enableAutoPipelining: true, maxRetriesPerRequest: 1 });
  }
  return (channel, event, payload) =>
    redisClient.publish(
      redis.prefix + channel,
      JSON.stringify({ event, data: payload, socket: null }),
    );
}

serveRequests(
  {
    async run({ path, channel, event, count, rate, capMs = 60_000, ...target }) {
      const send = path === 'redis' ? await redisSender(target) : httpSender(target);
      const intervalUs = 1e6 / rate;
      const startUs = now() + 20_000;
      let sent = 0;
      let errors = 0;
      let firstError;
      let maxLagUs = 0;
      let inFlight = 0;
      let drained;
      const done = () => {
        if (--inFlight === 0) drained?.();
      };
      await new Promise((resolve) => {
        const tick = () => {
          const at = now();
          while (sent < count && startUs + sent * intervalUs <= at) {
            const intended = startUs + sent * intervalUs;
            maxLagUs = Math.max(maxLagUs, at - intended);
            inFlight++;
            send(channel, event, benchPayload(intended, sent)).then(done, (error) => {
              errors++;
              firstError ??= error.message;
              done();
            });
            sent++;
          }
          if (sent >= count || at - startUs > capMs * 1000) resolve();
          else setTimeout(tick, 1);
        };
        setTimeout(tick, 20);
      });
      if (inFlight > 0) {
        await Promise.race([
          new Promise((resolve) => (drained = resolve)),
          new Promise((resolve) => setTimeout(resolve, 30_000)),
        ]);
      }
      return { sent, errors, firstError, startUs, endUs: now(), maxLagUs };
    },
  },
  {
    onExit: async () => {
      agent.destroy();
      await redisClient?.quit().catch(() => redisClient.disconnect());
    },
  },
);
