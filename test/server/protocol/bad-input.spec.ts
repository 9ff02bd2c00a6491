import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RawClient, startEngine, type EngineHarness } from '../support/engine-harness.js';

let harness: EngineHarness;
let client: RawClient;
beforeEach(async () => {
  harness = await startEngine({ maxPayloadBytes: 4096 });
  client = await RawClient.connect(harness.url());
});
afterEach(async () => {
  client.close();
  await harness.close();
});

/** Sends a frame and expects one pusher:error with a null code and an open connection. */
async function expectProtocolError(frame: string | object, message: RegExp) {
  const from = client.frames.length;
  client.send(frame);
  const error = await client.next('pusher:error', undefined, from);
  expect(error.data).toEqual({ code: null, message: expect.stringMatching(message) });
  await client.flush();
  expect(client.closeCode).toBeUndefined();
}

describe('bad input', () => {
  it('answers malformed JSON with pusher:error and keeps the connection', async () => {
    await expectProtocolError('{"event":', /Malformed message/);
  });

  it('answers a JSON value that is not an object', async () => {
    await expectProtocolError('[1,2,3]', /JSON object/);
    await expectProtocolError('"pusher:ping"', /JSON object/);
    await expectProtocolError('null', /JSON object/);
  });

  it('answers a frame without an event name', async () => {
    await expectProtocolError({ data: {} }, /"event" field/);
    await expectProtocolError({ event: 42 }, /"event" field/);
  });

  it('answers an unknown event', async () => {
    await expectProtocolError({ event: 'pusher:teleport', data: {} }, /Unknown event/);
    await expectProtocolError({ event: 'hello', data: {} }, /Unknown event/);
  });

  it('answers pusher:subscribe without a channel or with a channel of the wrong type', async () => {
    await expectProtocolError({ event: 'pusher:subscribe' }, /data\.channel/);
    await expectProtocolError({ event: 'pusher:subscribe', data: { channel: 7 } }, /data\.channel/);
    await expectProtocolError({ event: 'pusher:subscribe', data: 'nonsense' }, /data\.channel/);
  });

  it('accepts pusher:subscribe whose data is a JSON string', async () => {
    client.send({ event: 'pusher:subscribe', data: JSON.stringify({ channel: 'news' }) });
    expect(await client.next('pusher_internal:subscription_succeeded', 'news')).toBeDefined();
  });

  it('answers pusher:unsubscribe without a channel', async () => {
    await expectProtocolError({ event: 'pusher:unsubscribe', data: {} }, /data\.channel/);
  });

  it('answers a client event without a channel', async () => {
    await expectProtocolError({ event: 'client-x', data: {} }, /needs a "channel"/);
  });

  it('answers an overlong channel name with subscription_error', async () => {
    const name = 'a'.repeat(201);
    client.send({ event: 'pusher:subscribe', data: { channel: name } });
    const error = await client.next('pusher:subscription_error', name);
    expect(JSON.parse(error.data as string)).toMatchObject({ status: 400 });
  });

  it('answers binary frames with pusher:error', async () => {
    const from = client.frames.length;
    client.ws.send(Buffer.from('{"event":"pusher:ping"}'), { binary: true });
    const error = await client.next('pusher:error', undefined, from);
    expect(error.data).toMatchObject({ message: expect.stringMatching(/Binary/) });
  });

  it('closes with 1009 on a frame larger than maxPayloadBytes', async () => {
    client.send({ event: 'client-big', channel: 'private-x', data: 'x'.repeat(5000) });
    expect(await client.closed()).toBe(1009);
    const next = await RawClient.connect(harness.url());
    await next.flush();
    next.close();
  });

  it('refuses pusher:signin without fields by closing with 4009', async () => {
    client.send({ event: 'pusher:signin', data: {} });
    expect(await client.closed()).toBe(4009);
  });
});
