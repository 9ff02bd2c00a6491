/**
 * Every message the core (manager, drivers, facade, events) puts in an error or a log
 * line, in one place so wording stays consistent and each says what to do next.
 * Nothing here may include a secret: callers pass names, counts and masked URLs only.
 */
import { MAX_CHANNEL_NAME_LENGTH } from '../shared/pusher-protocol/channel-names.js';

const reasonOf = (error: unknown) => (error as Error)?.message ?? String(error);

const describeType = (value: unknown) =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;

export const BroadcastMessages = {
  facadeUnbound: () =>
    'The Broadcast facade is not bound: import BroadcastModule.forRoot() (or BroadcastTestingModule.forRoot() in tests) ' +
    'in your root module and initialize the app, or call Broadcast.setManager(manager).',

  asyncOptionsMissing: () =>
    'BroadcastModule.forRootAsync() needs one of useFactory, useClass or useExisting.',

  unknownConnection: (name: string, driver: string, known: string[]) => {
    const what =
      driver === name ? `connection "${name}"` : `driver "${driver}" (of connection "${name}")`;
    return (
      `Unknown broadcast ${what}. Known: ${known.join(', ')}. ` +
      'Add it under "connections" or register a driver with BroadcastManager.extend().'
    );
  },

  invalidEventName: (event: unknown) =>
    `Event names must be 1 to ${MAX_CHANNEL_NAME_LENGTH} characters (got ${typeof event === 'string' ? `${event.length}` : typeof event}).`,

  invalidSocketId: (socketId: unknown) =>
    `"${String(socketId).slice(0, 64)}" is not a socket id: socket ids look like "123.456" (pusher-js's connection.socket_id).`,

  payloadNotObject: (event: string, payload: unknown) =>
    `The payload of "${event}" must be a plain object (got ${describeType(payload)}). Wrap the value: { data: value }.`,

  payloadNotJson: (event: string, error: unknown) =>
    `The payload of "${event}" cannot be serialized to JSON (${reasonOf(error)}). ` +
    'Convert BigInt values to strings and remove circular references, e.g. in broadcastWith().',

  payloadRejectedByContract: (
    event: string,
    problems: Array<{ path: string | undefined; message: string }>,
  ) =>
    `The payload of "${event}" does not match its contract: ` +
    problems
      .map(({ path, message }) => (path ? `field "${path}": ${message}` : message))
      .join('; ') +
    '. Fix what broadcastWith() (or send()) returns, or the schema of the event contract.',

  notAnEventContract: (value: unknown) =>
    `send() takes a message object or an event contract made by channel.event(name, payload) (got ${describeType(value)}).`,

  missingBroadcastOn: (className: string) =>
    `${className} cannot be broadcast: it has no broadcastOn() method. Implement ShouldBroadcast and return the channels it is broadcast on.`,

  missingPackage: (name: string, neededBy: string) =>
    `${neededBy} needs the "${name}" package, which is not installed. Run: npm install ${name}`,

  noSpublish: () =>
    'the Redis client has no spublish(): sharded pub/sub needs ioredis 5.9 or later (or turn sharded off).',

  redisPublishFailed: (
    event: string,
    connection: string,
    where: string | undefined,
    error: unknown,
  ) =>
    `Redis PUBLISH of "${event}" failed on connection "${connection}"${where ? ` (${where})` : ''}: ${reasonOf(error)}`,

  pusherStatus: (
    event: string,
    channels: number,
    connection: string,
    status: number,
    body: string,
  ) =>
    `Pusher API responded ${status} to "${event}" on ${channels} channel(s) via connection "${connection}": ${body.trim() || '(empty body)'}`,

  pusherRequestFailed: (event: string, channels: number, connection: string, reason: string) =>
    `Pusher API request for "${event}" on ${channels} channel(s) via connection "${connection}" failed: ${reason}`,

  /** The log driver's line: the whole payload only with `logPayload`, its keys otherwise. */
  logged: (
    event: string,
    channels: string[],
    shown: { json: string | undefined } | { keys: string[] },
    exceptSocketId: string | undefined,
  ) =>
    `Broadcasting "${event}" on [${channels.join(', ')}] with ` +
    ('keys' in shown ? `payload keys [${shown.keys.join(', ')}]` : `payload ${shown.json}`) +
    (exceptSocketId ? ` except socket ${exceptSocketId}` : ''),

  autoBroadcastFailed: (event: string, channels: string[], connection: string, error: unknown) =>
    `Broadcast of "${event}" on [${channels.join(', ')}] via connection "${connection}" failed: ${reasonOf(error)}`,

  onErrorThrew: (error: unknown) =>
    `onError threw while handling a failed broadcast: ${reasonOf(error)}`,

  listenerFailed: (eventName: unknown, error: unknown) =>
    `A listener of "${String(eventName)}" failed, so the event was not broadcast: ${reasonOf(error)}`,
};
