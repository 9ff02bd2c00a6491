import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type {
  RedisCommandClient,
  RedisSubscriberClient,
} from '../../../shared/redis/redis-clients.js';
import { RedisLink } from './redis-link.js';

/**
 * The link's state machine on its own: connection events are plain events here (what ioredis
 * emits), so each transition and its log line can be checked without a Redis. The real
 * outages are in test/server/scaling.
 */
class Connection extends EventEmitter {
  status = 'wait';
  connect = async () => void this.emit('ready');
  quit = async () => void this.emit('end');
  disconnect = () => void this.emit('end');
}

function linkWithLog() {
  const commands = new Connection();
  const subscriber = new Connection();
  const lines: string[] = [];
  let reopened = 0;
  const stats = { channels: 2, dropped: 1 };
  const link = new RedisLink(
    commands as unknown as RedisCommandClient,
    subscriber as unknown as RedisSubscriberClient,
    'redis://127.0.0.1:6379',
    { log: () => {}, warn: (line) => lines.push(line), error: () => {} },
    { subscriberReopened: () => reopened++, recovery: () => stats },
  );
  return { link, commands, subscriber, lines, stats, reopened: () => reopened };
}

async function booted() {
  const setup = linkWithLog();
  await setup.link.open();
  setup.link.booted();
  return setup;
}

describe('RedisLink', () => {
  it('is up once booted with both connections open, and logs nothing for the boot', async () => {
    const { link, lines } = await booted();
    expect(link.state).toBe('up');
    expect(link.healthy).toBe(true);
    expect(lines).toEqual([]);
  });

  it('logs one "lost" and one "back" line per outage, however many events come in between', async () => {
    const { link, commands, subscriber, lines, stats } = await booted();
    commands.emit('close');
    subscriber.emit('close');
    commands.emit('close');
    stats.dropped += 5; // dropped during the outage (1 before it)
    expect(link.state).toBe('degraded');
    expect(link.commandsOpen).toBe(false);
    subscriber.emit('ready');
    expect(link.state).toBe('degraded');
    commands.emit('ready');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Scaling: lost Redis at redis:\/\/127\.0\.0\.1:6379/);
    expect(lines[1]).toBe(
      'Scaling: Redis at redis://127.0.0.1:6379 is back; resubscribed 2 channels ' +
        '(5 cluster publishes were dropped meanwhile).',
    );
  });

  it('asks for SUBSCRIBEs again when the subscriber reopens, not at boot', async () => {
    const { subscriber, reopened } = await booted();
    expect(reopened()).toBe(0);
    subscriber.emit('close');
    subscriber.emit('ready');
    expect(reopened()).toBe(1);
  });

  it('resyncs after a new command connection, once nothing else is wrong', async () => {
    const { link, commands, subscriber } = await booted();
    commands.emit('close');
    subscriber.emit('close');
    commands.emit('ready');
    let wrote = 0;
    await link.resync(async () => void wrote++);
    expect(wrote).toBe(0); // the subscriber is still down: the write-back waits
    subscriber.emit('ready');
    expect(link.state).toBe('resyncing');
    expect(link.healthy).toBe(true);
    await link.resync(async () => void wrote++);
    expect(wrote).toBe(1);
    expect(link.state).toBe('up');
  });

  it('stays resyncing when the write-back fails, so the next heartbeat tries again', async () => {
    const { link } = await booted();
    link.sweptAsDead();
    await link.resync(async () => {
      throw new Error('NOSCRIPT');
    });
    expect(link.state).toBe('resyncing');
  });

  it('is degraded while the heartbeat fails on an open connection, with the reason logged', async () => {
    const { link, lines } = await booted();
    link.heartbeatFailed(new Error('Command timed out'));
    expect(link.state).toBe('degraded');
    expect(link.commandsOpen).toBe(true);
    expect(lines[0]).toContain('(Command timed out)');
    link.heartbeatAnswered();
    expect(link.state).toBe('up');
  });

  it('stays closed after close(), whatever the connections do', async () => {
    const { link, commands, lines } = await booted();
    await link.close();
    commands.emit('ready');
    expect(link.state).toBe('closed');
    expect(link.commandsOpen).toBe(false);
    expect(lines).toEqual([]);
  });
});
