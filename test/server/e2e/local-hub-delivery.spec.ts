import { beforeEach, describe, expect, it } from 'vitest';
import { BroadcastManager, LocalBroadcastHub } from 'nestjs-broadcasting';
import type { BroadcastServerHandle } from 'nestjs-broadcasting/server';
import { LocalBroadcaster } from '../../../lib/drivers/local.broadcaster.js';
import { defaultBroadcastConfig } from '../../../lib/config/default-config.js';
import {
  connected,
  record,
  recordingLogger,
  senderAndOther,
  subscribed,
  useTestServers,
  waitFor,
} from '../support/broadcast-server-harness.js';

let hub: LocalBroadcastHub;
let server: BroadcastServerHandle;
const warnings: string[] = [];
const servers = useTestServers();
const client = () => servers.client();

beforeEach(async () => {
  hub = new LocalBroadcastHub();
  warnings.length = 0;
  server = await servers.start({ localHub: hub, logger: recordingLogger(warnings) });
});

describe('delivery from the local driver (in-process hub)', () => {
  it('delivers what the local driver broadcasts to pusher-js subscribers', async () => {
    const [orders, audit] = await Promise.all([
      subscribed(client(), 'private-orders.1'),
      subscribed(client(), 'audit'),
    ]);
    const onOrders = record(orders, 'order.shipped');
    const onAudit = record(audit, 'order.shipped');

    await new LocalBroadcaster(hub).broadcast(['private-orders.1', 'audit'], 'order.shipped', {
      id: 1,
      items: ['a', 'b'],
    });

    await waitFor(() => onOrders.length === 1 && onAudit.length === 1);
    expect(onOrders).toEqual([{ id: 1, items: ['a', 'b'] }]);
    expect(onAudit).toEqual([{ id: 1, items: ['a', 'b'] }]);
  });

  it('skips the socket named in exceptSocketId (toOthers)', async () => {
    const { sender, senderGot, otherGot } = await senderAndOther(client, 'room', 'said');

    await new LocalBroadcaster(hub).broadcast(
      ['room'],
      'said',
      { n: 1 },
      {
        exceptSocketId: await connected(sender),
      },
    );
    await new LocalBroadcaster(hub).broadcast(['room'], 'said', { n: 2 });

    await waitFor(() => otherGot.length === 2 && senderGot.length === 1);
    expect(senderGot).toEqual([{ n: 2 }]);
  });

  it("serializes a payload once: the server sends the manager's JSON", async () => {
    const room = await subscribed(client(), 'room');
    const got = record(room, 'counted');
    const manager = new BroadcastManager({
      ...defaultBroadcastConfig(),
      default: 'embedded',
      connections: { embedded: { driver: 'local', hub } },
    });
    let serialized = 0;
    const order = { toJSON: () => (serialized++, { id: 7 }) };

    await manager.send({ channels: ['room'], event: 'counted', payload: { order } });

    await waitFor(() => got.length === 1);
    expect(got).toEqual([{ order: { id: 7 } }]);
    expect(serialized).toBe(1);
  });

  it('sends the `json` a hub message carries as is, and serializes `data` only without it', async () => {
    const room = await subscribed(client(), 'room');
    const got = record(room, 'raw');
    hub.publish({
      channels: ['room'],
      event: 'raw',
      data: {},
      json: '{"from":"json"}',
      socket: null,
    });
    hub.publish({ channels: ['room'], event: 'raw', data: { from: 'data' }, socket: null });

    await waitFor(() => got.length === 2);
    expect(got).toEqual([{ from: 'json' }, { from: 'data' }]);
  });

  it('stops listening to the hub when the server closes', async () => {
    expect(hub.listenerCount).toBe(1);
    await server.close();
    expect(hub.listenerCount).toBe(0);
  });

  it('drops a payload that cannot be serialized, logs it, and keeps delivering', async () => {
    const room = await subscribed(client(), 'room');
    const got = record(room, 'ok');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;

    hub.publish({ channels: ['room'], event: 'broken', data: cyclic, socket: null });
    hub.publish({ channels: ['room'], event: 'ok', data: { fine: true }, socket: null });

    await waitFor(() => got.length === 1);
    expect(warnings.join('\n')).toMatch(/"broken" dropped: its payload is not JSON-serializable/);
  });
});
