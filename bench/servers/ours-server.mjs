/**
 * The server under test: this package's `startBroadcastServer`, loaded from the build
 * (`npm run build` compiles lib/ to dist/), listening on 127.0.0.1 on a free port.
 *
 * `corkPerTurn` is an experiment, not the product: it wraps `ws`'s `WebSocket#send` in this
 * process so that each TCP socket stays corked until the event-loop turn ends (setImmediate),
 * which is what bench/README.md proposes for the engine's fan-out. It measures that change on
 * the real server without editing lib/.
 */
export async function startServer({ app, redis, scaling, corkPerTurn = false }) {
  if (corkPerTurn) await corkSendsPerTurn();
  const { startBroadcastServer } = await import('../../dist/server/index.js');
  const handle = await startBroadcastServer({
    apps: [app],
    host: '127.0.0.1',
    port: 0,
    localHub: false,
    redis: redis ?? false,
    ...(scaling ? { scaling } : {}),
    // Long enough that no server ping lands inside a measurement.
    activityTimeout: 120,
    logger: false,
  });
  return {
    port: handle.port,
    wsPath: `/app/${app.key}`,
    close: () => handle.close(),
  };
}

async function corkSendsPerTurn() {
  const { WebSocket } = await import('ws');
  const send = WebSocket.prototype.send;
  const corked = new Set();
  let scheduled = false;
  const uncorkAll = () => {
    scheduled = false;
    for (const socket of corked) socket.uncork();
    corked.clear();
  };
  WebSocket.prototype.send = function corkedSend(data, options, callback) {
    const socket = this._socket;
    if (socket && !corked.has(socket)) {
      socket.cork();
      corked.add(socket);
      if (!scheduled) {
        scheduled = true;
        setImmediate(uncorkAll);
      }
    }
    return send.call(this, data, options, callback);
  };
}
