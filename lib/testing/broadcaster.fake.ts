import type { EventContract, PayloadOf } from '../contract/event-contract.js';
import type { Broadcaster, BroadcastSendOptions } from '../drivers/broadcaster.interface.js';
import type { BroadcastJobData } from '../queue/broadcast-job.js';

/** One recorded `broadcast()` call; `P` is the payload type a contract gives it. */
export interface RecordedBroadcast<P = Record<string, unknown>> {
  channels: string[];
  event: string;
  payload: P;
  /** The excluded socket (toOthers / X-Socket-ID), or undefined. */
  exceptSocketId?: string;
}

/** An event name, or an event contract (its name is used). */
type EventRef = string | EventContract;

const nameOf = (event: EventRef): string => (typeof event === 'string' ? event : event.name);

/** One recorded queued broadcast: the job as BullMQ would have stored it, and its queue. */
export interface RecordedQueuedBroadcast extends BroadcastJobData {
  queue: string;
  /** Whether `runQueued()` has sent it (recorded in `calls`). */
  ran: boolean;
}

/**
 * A driver that records every broadcast instead of sending it, with assertions whose
 * failure message lists what was recorded.
 */
export class BroadcasterFake implements Broadcaster {
  readonly calls: RecordedBroadcast[] = [];
  /** Broadcasts queued instead of sent (through the fake manager), in order. */
  readonly queued: RecordedQueuedBroadcast[] = [];

  async broadcast(
    channels: string[],
    event: string,
    payload: Record<string, unknown>,
    options: BroadcastSendOptions = {},
  ): Promise<void> {
    this.calls.push({
      channels: [...channels],
      event,
      payload,
      exceptSocketId: options.exceptSocketId,
    });
  }

  /** Calls of one event (all calls when `event` is omitted). */
  recorded(event?: EventRef): RecordedBroadcast[] {
    if (event === undefined) return [...this.calls];
    const name = nameOf(event);
    return this.calls.filter((call) => call.event === name);
  }

  /** Passes when `event` was broadcast at least once (and, given a predicate, once matching it). */
  assertBroadcasted(event: string, predicate?: (call: RecordedBroadcast) => boolean): void;
  /** The same for an event contract: the predicate sees the contract's payload type. */
  assertBroadcasted<E extends EventContract>(
    event: E,
    predicate?: (call: RecordedBroadcast<PayloadOf<E>>) => boolean,
  ): void;
  assertBroadcasted(ref: EventRef, predicate?: (call: RecordedBroadcast<any>) => boolean): void {
    const event = nameOf(ref);
    const calls = this.recorded(event);
    if (calls.length === 0) this.fail(`Expected "${event}" to be broadcast, but it was not.`);
    if (predicate && !calls.some(predicate)) {
      this.fail(
        `Expected "${event}" to be broadcast with a call matching the predicate, but none matched.`,
      );
    }
  }

  /** Passes when `event` was broadcast on `channel` (its full name, e.g. `private-orders.1`). */
  assertBroadcastedOn(channel: string | { name: string }, ref: EventRef): void {
    const event = nameOf(ref);
    const name = typeof channel === 'string' ? channel : channel.name;
    if (!this.recorded(event).some((call) => call.channels.includes(name))) {
      this.fail(`Expected "${event}" to be broadcast on "${name}", but it was not.`);
    }
  }

  assertNotBroadcasted(ref: EventRef): void {
    const event = nameOf(ref);
    const count = this.recorded(event).length;
    if (count > 0)
      this.fail(`Expected "${event}" not to be broadcast, but it was broadcast ${count} time(s).`);
  }

  assertNothingBroadcasted(): void {
    if (this.calls.length > 0)
      this.fail(`Expected nothing to be broadcast, but ${this.calls.length} broadcast(s) were.`);
  }

  assertBroadcastedTimes(ref: EventRef, times: number): void {
    const event = nameOf(ref);
    const count = this.recorded(event).length;
    if (count !== times)
      this.fail(
        `Expected "${event}" to be broadcast ${times} time(s), but it was broadcast ${count} time(s).`,
      );
  }

  /**
   * Records a queued job (the fake manager's queue calls it).
   * @internal
   */
  recordQueued(queue: string, job: BroadcastJobData): void {
    this.queued.push({ ...job, channels: [...job.channels], queue, ran: false });
  }

  /** Passes when `event` (a name or a contract) was queued (on `queue`, when given). */
  assertQueued(ref: EventRef, queue?: string): void {
    const event = nameOf(ref);
    const jobs = this.queued.filter((job) => job.event === event);
    if (jobs.length === 0) this.fail(`Expected "${event}" to be queued, but it was not.`);
    if (queue !== undefined && !jobs.some((job) => job.queue === queue)) {
      const queues = [...new Set(jobs.map((job) => job.queue))].join(', ');
      this.fail(`Expected "${event}" to be queued on "${queue}", but it was queued on ${queues}.`);
    }
  }

  assertNotQueued(ref: EventRef): void {
    const event = nameOf(ref);
    const count = this.queued.filter((job) => job.event === event).length;
    if (count > 0)
      this.fail(`Expected "${event}" not to be queued, but it was queued ${count} time(s).`);
  }

  /**
   * Runs the queued broadcasts that have not run yet, in order, as a worker would: each is
   * then recorded in `calls` (once per connection it names). Resolves with how many ran.
   */
  async runQueued(): Promise<number> {
    const pending = this.queued.filter((job) => !job.ran);
    for (const job of pending) {
      job.ran = true;
      const options = job.socket ? { exceptSocketId: job.socket } : {};
      for (const _connection of job.connections ?? ['default'])
        await this.broadcast(job.channels, job.event, job.payload, options);
    }
    return pending.length;
  }

  /** Forgets every recorded call and queued broadcast. */
  reset(): void {
    this.calls.length = 0;
    this.queued.length = 0;
  }

  private fail(message: string): never {
    throw new Error(`${message}\n${this.describe()}`);
  }

  private describe(): string {
    const lines = this.calls.map((call, index) => {
      const except = call.exceptSocketId ? ` except ${call.exceptSocketId}` : '';
      return `  ${index + 1}. "${call.event}" on [${call.channels.join(', ')}] ${safeJson(call.payload)}${except}`;
    });
    const sent = lines.length
      ? `Recorded broadcasts:\n${lines.join('\n')}`
      : 'Nothing was broadcast.';
    if (this.queued.length === 0) return sent;
    const jobs = this.queued.map(
      (job, index) =>
        `  ${index + 1}. "${job.event}" on [${job.channels.join(', ')}] to queue "${job.queue}"${job.ran ? ' (ran)' : ''}`,
    );
    return `${sent}\nQueued broadcasts:\n${jobs.join('\n')}`;
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '(unserializable payload)';
  }
}
