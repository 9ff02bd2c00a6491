/**
 * Load-generator child: holds many subscribed sockets to one server and counts what they
 * receive. Speaks the Pusher protocol with raw `ws` frames (`pusher:subscribe`), or
 * Socket.IO through socket.io-client for that baseline. Several of these run side by side
 * because one process may only hold ~20,000 open files.
 */
import { createHistogram } from 'node:perf_hooks';
import WebSocket from 'ws';
import { io as socketIo } from 'socket.io-client';
import { serveRequests, makeClock } from './ipc-child.mjs';
import { readStamp } from './bench-payload.mjs';

const now = makeClock();
const sockets = [];
// Steps of 0.25 up to p90, then finer where it matters (0.1 to p99, 0.01 beyond), so the
// merged percentiles (latency-merge.mjs) land within about 1% of one histogram of every sample.
const PERCENTILE_GRID = [
  ...Array.from({ length: 360 }, (_, n) => (n + 1) / 4),
  ...Array.from({ length: 90 }, (_, n) => 90 + (n + 1) / 10),
  ...Array.from({ length: 100 }, (_, n) => 99 + (n + 1) / 100),
];
let histogram = createHistogram({ lowest: 1, highest: 120_000_000, figures: 3 });
let received = 0;
let firstUs = 0;
let lastUs = 0;
let closeCodes = {};

function onBenchMessage(state, text) {
  const stamp = readStamp(text);
  if (!stamp) return;
  const at = now();
  received++;
  if (firstUs === 0) firstUs = at;
  lastUs = at;
  state.count++;
  histogram.record(Math.max(1, Math.round(at - stamp.t)));
}

function noteClose(code) {
  closeCodes[code] = (closeCodes[code] ?? 0) + 1;
}

/** One Pusher-protocol subscriber; resolves once `subscription_succeeded` arrives. */
function openPusherSocket(url, channel, timeoutMs) {
  return new Promise((resolve, reject) => {
    const state = { count: 0, close: () => ws.terminate() };
    let subscribed = false;
    const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('subscribe timed out'));
    }, timeoutMs);
    ws.on('message', (data) => {
      const text = data.toString();
      if (subscribed) {
        if (text.includes('"pusher:ping"')) ws.send('{"event":"pusher:pong","data":{}}');
        else onBenchMessage(state, text);
        return;
      }
      const frame = JSON.parse(text);
      if (frame.event === 'pusher:connection_established') {
        ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel } }));
      } else if (frame.event === 'pusher_internal:subscription_succeeded') {
        subscribed = true;
        clearTimeout(timer);
        resolve(state);
      } else if (frame.event === 'pusher:error' || frame.event === 'pusher:subscription_error') {
        clearTimeout(timer);
        ws.terminate();
        reject(new Error(`server refused: ${text.slice(0, 200)}`));
      }
    });
    ws.on('close', (code) => {
      if (subscribed) noteClose(code);
      else {
        clearTimeout(timer);
        reject(new Error(`closed before subscribing (${code})`));
      }
    });
    ws.on('error', (error) => {
      if (!subscribed) {
        clearTimeout(timer);
        reject(error);
      }
    });
  });
}

/** One Socket.IO subscriber (websocket transport only); joins the room through an ack. */
function openSocketIo(url, channel, timeoutMs) {
  return new Promise((resolve, reject) => {
    const socket = socketIo(url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: timeoutMs,
    });
    const state = { count: 0, close: () => socket.disconnect() };
    let subscribed = false;
    const timer = setTimeout(() => {
      socket.disconnect();
      reject(new Error('subscribe timed out'));
    }, timeoutMs);
    socket.on('connect', () => {
      socket.emit('subscribe', channel, () => {
        subscribed = true;
        clearTimeout(timer);
        resolve(state);
      });
    });
    socket.on('order.shipped', (data) => onBenchMessage(state, data));
    socket.on('disconnect', (reason) => subscribed && noteClose(reason));
    socket.on('connect_error', (error) => {
      if (subscribed) return;
      clearTimeout(timer);
      socket.disconnect();
      reject(error);
    });
  });
}

serveRequests(
  {
    /** Opens `count` more subscribed sockets, at most `concurrency` handshakes at a time. */
    async connect({ kind, url, channel, count, concurrency = 100, timeoutMs = 20_000 }) {
      const open = kind === 'socketio' ? openSocketIo : openPusherSocket;
      const started = performance.now();
      let next = 0;
      let failed = 0;
      let firstError;
      const worker = async () => {
        while (next < count) {
          next++;
          try {
            sockets.push(await open(url, channel, timeoutMs));
          } catch (error) {
            failed++;
            firstError ??= error.message;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
      return { sockets: sockets.length, failed, firstError, ms: performance.now() - started };
    },
    /** Starts a new measurement: counters and histogram back to zero. */
    reset() {
      histogram = createHistogram({ lowest: 1, highest: 120_000_000, figures: 3 });
      received = 0;
      firstUs = 0;
      lastUs = 0;
      closeCodes = {};
      for (const state of sockets) {
        state.count = 0;
      }
      return { sockets: sockets.length };
    },
    stats() {
      return { received, firstUs, lastUs, sockets: sockets.length, closeCodes };
    },
    /** How many sockets got exactly / fewer / more (duplicates) than `expected` messages. */
    perSocket({ expected }) {
      let exact = 0;
      let fewer = 0;
      let more = 0;
      for (const state of sockets) {
        if (state.count === expected) exact++;
        else if (state.count < expected) fewer++;
        else more++;
      }
      return { exact, fewer, more };
    },
    /** The latency histogram (µs) as percentile steps, for latency-merge.mjs. */
    latency() {
      if (histogram.count === 0) return { count: 0, steps: [], max: 0 };
      return {
        count: histogram.count,
        steps: PERCENTILE_GRID.map((q) => [q, histogram.percentile(q)]),
        max: histogram.max,
      };
    },
    close() {
      for (const state of sockets.splice(0)) state.close();
      return {};
    },
  },
  { onExit: () => sockets.splice(0).forEach((state) => state.close()) },
);
