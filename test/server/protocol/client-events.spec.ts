import { describe, expect, it } from 'vitest';
import { RawClient, useEngine, TEST_APP, type EngineHarness } from '../support/engine-harness.js';
import type { ServerAppOptions } from '../../../lib/server/options/server-options.interface.js';

const engines = useEngine();
let harness: EngineHarness | undefined;

async function pair(app: Partial<ServerAppOptions> = {}) {
  harness = await engines.start({ apps: [{ ...TEST_APP, ...app }] });
  const a = await RawClient.connect(harness.url());
  const b = await RawClient.connect(harness.url());
  return { a, b };
}

const whisper = (channel: string, data: unknown = { typing: true }, event = 'client-typing') => ({
  event,
  channel,
  data,
});

describe('client events', () => {
  it('relays a client event on a private channel to the other subscribers, not the sender', async () => {
    const { a, b } = await pair();
    await a.subscribe('private-chat');
    await b.subscribe('private-chat');
    a.send(whisper('private-chat'));
    const got = await b.next('client-typing', 'private-chat');
    expect(got).toEqual({
      event: 'client-typing',
      channel: 'private-chat',
      data: '{"typing":true}',
    });
    await a.flush();
    expect(a.all('client-typing')).toEqual([]);
  });

  it('adds user_id on presence channels', async () => {
    const { a, b } = await pair();
    await a.subscribe('presence-chat', { user_id: 'alice' });
    await b.subscribe('presence-chat', { user_id: 'bob' });
    a.send(whisper('presence-chat'));
    expect(await b.next('client-typing', 'presence-chat')).toMatchObject({ user_id: 'alice' });
  });

  it('refuses client events on public channels', async () => {
    const { a, b } = await pair();
    await a.subscribe('public-chat');
    await b.subscribe('public-chat');
    a.send(whisper('public-chat'));
    const error = await a.next('pusher:error');
    expect(error.data).toMatchObject({ message: expect.stringContaining('private and presence') });
    await b.flush();
    expect(b.all('client-typing')).toEqual([]);
  });

  it('refuses client events on encrypted channels', async () => {
    const { a, b } = await pair();
    for (const client of [a, b]) {
      expect((await client.subscribe('private-encrypted-chat')).event).toBe(
        'pusher_internal:subscription_succeeded',
      );
      await client.subscribe('private-chat');
    }
    a.send(whisper('private-encrypted-chat'));
    expect(await a.next('pusher:error')).toEqual({
      event: 'pusher:error',
      channel: 'private-encrypted-chat',
      data: {
        code: null,
        message: 'Client events are only allowed on private and presence channels.',
      },
    });
    // Frames reach b in order: once the sentinel sent after it arrives, the refused one cannot.
    a.send(whisper('private-chat', { sentinel: true }));
    await b.next('client-typing', 'private-chat');
    expect(b.all('client-typing', 'private-encrypted-chat')).toEqual([]);
  });

  it('relays a client event name of exactly 200 characters and refuses one of 201', async () => {
    const { a, b } = await pair();
    await a.subscribe('private-chat');
    await b.subscribe('private-chat');
    const longest = `client-${'x'.repeat(193)}`;
    a.send(whisper('private-chat', { n: 1 }, `${longest}y`));
    expect((await a.next('pusher:error')).data).toEqual({
      code: null,
      message: 'Event names are at most 200 characters.',
    });
    a.send(whisper('private-chat', { n: 2 }, longest));
    expect((await b.next(longest, 'private-chat')).data).toBe('{"n":2}');
    expect(b.frames.filter((f) => f.event.startsWith('client-'))).toHaveLength(1);
  });

  it('refuses client events from a socket not subscribed to the channel', async () => {
    const { a, b } = await pair();
    await b.subscribe('private-chat');
    a.send(whisper('private-chat'));
    expect((await a.next('pusher:error')).data).toMatchObject({
      message: expect.stringContaining('Subscribe to'),
    });
    await b.flush();
    expect(b.all('client-typing')).toEqual([]);
  });

  it('refuses client events when the app disables them', async () => {
    const { a, b } = await pair({ enableClientMessages: false });
    await a.subscribe('private-chat');
    await b.subscribe('private-chat');
    a.send(whisper('private-chat'));
    expect((await a.next('pusher:error')).data).toMatchObject({
      message: expect.stringContaining('enableClientMessages'),
    });
    await b.flush();
    expect(b.all('client-typing')).toEqual([]);
  });

  it('refuses client event data over maxEventBytes', async () => {
    const { a, b } = await pair({ limits: { maxEventBytes: 100 } });
    await a.subscribe('private-chat');
    await b.subscribe('private-chat');
    a.send(whisper('private-chat', { text: 'x'.repeat(200) }));
    expect((await a.next('pusher:error')).data).toMatchObject({
      message: expect.stringContaining('100 bytes'),
    });
    await b.flush();
    expect(b.all('client-typing')).toEqual([]);
  });

  it('answers client events over the rate limit with pusher:error 4301 and keeps the connection', async () => {
    const { a, b } = await pair({ limits: { clientEventsPerSecond: 3 } });
    await a.subscribe('private-chat');
    await b.subscribe('private-chat');
    for (let i = 0; i < 5; i++) a.send(whisper('private-chat', { i }));
    const error = await a.next('pusher:error');
    expect(error.data).toMatchObject({ code: 4301 });
    await b.flush();
    expect(b.all('client-typing')).toHaveLength(3);
    await a.flush();
    expect(a.closeCode).toBeUndefined();
  });
});
