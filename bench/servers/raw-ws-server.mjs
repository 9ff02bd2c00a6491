/**
 * Baseline: the least a Node `ws` server can do to fan out, the ceiling ours is compared to.
 * It speaks just enough of the Pusher handshake for the same load generator (established,
 * subscribe, succeeded), serializes each broadcast once and hands the same Buffer to every
 * subscriber. Three send loops:
 * - `send`: `ws.send(buffer)` per socket, the honest loop (ws frames it per socket);
 * - `write`: the frame (header + payload) built once and written to each TCP socket directly,
 *   bypassing ws's sender: the absolute ceiling;
 * - `cork`: `ws.send` as in `send`, but each TCP socket stays corked until this event-loop turn
 *   has handled all its input (setImmediate),
 *   so every event sent to it in that turn leaves in one writev: the technique the report
 *   suggests for our engine, measured here.
 */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { publishEndpoint, redisInput } from './publish-endpoint.mjs';

/** An unmasked, final text frame around `payload`. */
function textFrame(payload) {
  const length = payload.length;
  let header;
  if (length < 126) {
    header = Buffer.from([0x81, length]);
  } else if (length < 65536) {
    header = Buffer.alloc(4);
    header[0] = 0x81;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x81;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

export async function startServer({ mode = 'send', redis } = {}) {
  const channels = new Map();
  let lastSocketId = 0;
  let input;
  const corked = new Set();
  let uncorkScheduled = false;
  const uncorkAll = () => {
    uncorkScheduled = false;
    for (const ws of corked) ws._socket.uncork();
    corked.clear();
  };

  const broadcast = (channel, event, data) => {
    const subscribers = channels.get(channel);
    if (!subscribers) return;
    const payload = Buffer.from(JSON.stringify({ event, channel, data }));
    if (mode === 'write') {
      const frame = textFrame(payload);
      for (const ws of subscribers) ws._socket.write(frame);
    } else if (mode === 'cork') {
      for (const ws of subscribers) {
        if (!corked.has(ws)) {
          ws._socket.cork();
          corked.add(ws);
        }
        ws.send(payload, { binary: false });
      }
      if (!uncorkScheduled) {
        uncorkScheduled = true;
        setImmediate(uncorkAll);
      }
    } else {
      for (const ws of subscribers) ws.send(payload, { binary: false });
    }
  };

  const http = createServer(publishEndpoint(broadcast));
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  http.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      const joined = new Set();
      ws.send(
        JSON.stringify({
          event: 'pusher:connection_established',
          data: JSON.stringify({
            socket_id: `${process.pid}.${++lastSocketId}`,
            activity_timeout: 120,
          }),
        }),
      );
      ws.on('message', (raw) => {
        const frame = JSON.parse(raw.toString());
        if (frame.event === 'pusher:subscribe') {
          const channel = frame.data.channel;
          let subscribers = channels.get(channel);
          if (!subscribers) {
            channels.set(channel, (subscribers = new Set()));
            input?.subscribe(channel);
          }
          subscribers.add(ws);
          joined.add(channel);
          ws.send(
            JSON.stringify({
              event: 'pusher_internal:subscription_succeeded',
              channel,
              data: '{}',
            }),
          );
        } else if (frame.event === 'pusher:ping') {
          ws.send('{"event":"pusher:pong","data":"{}"}');
        }
      });
      ws.on('close', () => {
        for (const channel of joined) channels.get(channel)?.delete(ws);
      });
    });
  });
  if (redis) input = await redisInput(redis, broadcast);
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    port: http.address().port,
    wsPath: '/app/bench',
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      await input?.close();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}
