/**
 * Baseline: Socket.IO 4 on the websocket transport only, broadcasting with
 * `io.to(room).emit(event, data)` (which encodes the packet once per broadcast). Clients join
 * the room through a `subscribe` event with an ack, mirroring `pusher:subscribe`.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { publishEndpoint } from './publish-endpoint.mjs';

export async function startServer() {
  let io;
  const http = createServer(
    publishEndpoint((channel, event, data) => io.to(channel).emit(event, data)),
  );
  io = new Server(http, {
    transports: ['websocket'],
    perMessageDeflate: false,
    serveClient: false,
    // Long enough that heartbeats never fire during a run, as with the other servers.
    pingInterval: 120_000,
    pingTimeout: 60_000,
  });
  io.on('connection', (socket) => {
    socket.on('subscribe', (channel, ack) => {
      socket.join(channel);
      ack?.();
    });
  });
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    port: http.address().port,
    wsPath: '',
    close: async () => {
      io.disconnectSockets(true);
      await new Promise((resolve) => io.close(resolve));
    },
  };
}
