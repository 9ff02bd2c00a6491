/**
 * Scenario 6, webhooks: fan-out to N subscribers on our server with webhooks on, against the
 * same server without, while a churn client makes a channel occupied and vacated 50 times a
 * second on both. With webhooks, every occupied / vacated goes to a receiver that takes 2 s
 * to answer (so requests pile up in flight). The ratio of deliveries per second and of
 * server CPU per delivery is what webhooks cost fan-out; the goal is within 3 %.
 * Runs alternate between the two servers, round after round, and report the medians.
 */
import { createServer } from 'node:http';
import WebSocket from 'ws';
import { BenchRig } from '../harness/bench-rig.mjs';

const RECEIVER_DELAY_MS = 2_000;
const CHURN_EVERY_MS = 20;

const median = (values) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** A webhook receiver that answers 200 after 2 s, counting requests and events. */
async function slowReceiver() {
  const stats = { requests: 0, events: 0, open: 0, maxOpen: 0 };
  const server = createServer((req, res) => {
    const chunks = [];
    stats.open++;
    stats.maxOpen = Math.max(stats.maxOpen, stats.open);
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      stats.requests++;
      try {
        stats.events += JSON.parse(Buffer.concat(chunks).toString()).events.length;
      } catch {
        // counted as a request only
      }
      setTimeout(() => {
        stats.open--;
        res.end('ok');
      }, RECEIVER_DELAY_MS);
    });
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${server.address().port}/hooks`,
    stats,
    close: () => {
      server.closeAllConnections();
      return new Promise((ok) => server.close(ok));
    },
  };
}

/** One socket that subscribes to and leaves its own channel every CHURN_EVERY_MS. */
async function churn(url) {
  const ws = new WebSocket(url);
  await new Promise((ok, fail) => {
    ws.once('error', fail);
    ws.on('message', (raw) => {
      if (String(raw).includes('pusher:connection_established')) ok();
    });
  });
  let n = 0;
  let subscribed = false;
  const timer = setInterval(() => {
    const channel = `churn-${n}`;
    if (subscribed) {
      ws.send(JSON.stringify({ event: 'pusher:unsubscribe', data: { channel } }));
      n++;
    } else ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel } }));
    subscribed = !subscribed;
  }, CHURN_EVERY_MS / 2);
  return () => {
    clearInterval(timer);
    ws.terminate();
  };
}

export async function runWebhooks({
  size,
  deliveriesPerRun,
  offeredPerSec,
  rounds,
  clientProcesses,
  log,
}) {
  const receiver = await slowReceiver();
  const rigs = {};
  const stops = [];
  try {
    rigs.plain = await BenchRig.start({
      kind: 'ours',
      label: 'ours (no webhooks)',
      clientProcesses,
    });
    rigs.webhooks = await BenchRig.start({
      kind: 'ours',
      label: 'ours (webhooks)',
      serverOptions: { webhooks: receiver.url },
      clientProcesses,
    });
    for (const [name, rig] of Object.entries(rigs)) {
      const { ms } = await rig.connect(size);
      log(`  ${name}: ${size} subscribers connected in ${(ms / 1000).toFixed(1)} s`);
      stops.push(await churn(rig.url));
    }
    const count = Math.max(5, Math.round(deliveriesPerRun / size));
    const rate = Math.max(1, offeredPerSec / size);
    for (const rig of Object.values(rigs))
      await rig.publishRun({ path: 'http', count: Math.max(3, Math.round(count / 5)), rate });
    const samples = { plain: [], webhooks: [] };
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 ? ['webhooks', 'plain'] : ['plain', 'webhooks'];
      for (const name of order) {
        const result = await rigs[name].publishRun({ path: 'http', count, rate });
        samples[name].push(result);
        log(
          `  ${size} subs ${name}: ${Math.round(result.deliveriesPerSec)} deliveries/s, ` +
            `${result.serverCpuUsPerDelivery.toFixed(2)} µs CPU/delivery, lost ${result.lost}`,
        );
      }
    }
    const summary = (name) => ({
      deliveriesPerSec: median(samples[name].map((r) => r.deliveriesPerSec)),
      cpuUsPerDelivery: median(samples[name].map((r) => r.serverCpuUsPerDelivery)),
      lost: samples[name].reduce((sum, r) => sum + r.lost, 0),
    });
    return {
      subscribers: size,
      rounds,
      churnPerSec: 1000 / CHURN_EVERY_MS,
      receiverDelayMs: RECEIVER_DELAY_MS,
      plain: summary('plain'),
      webhooks: summary('webhooks'),
      receiver: { ...receiver.stats },
    };
  } finally {
    for (const stop of stops) stop();
    await Promise.all(Object.values(rigs).map((rig) => rig.stop()));
    await receiver.close();
  }
}
