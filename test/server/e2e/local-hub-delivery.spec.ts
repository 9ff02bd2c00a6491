import { beforeEach, describe, expect, it } from 'vitest';
import { LocalBroadcastHub } from 'nestjs-broadcasting';
import type { BroadcastServerHandle } from 'nestjs-broadcasting/server';
import { LocalBroadcaster } from '../../../lib/broadcasters/local.broadcaster.js';
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
