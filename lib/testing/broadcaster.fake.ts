import type { Broadcaster, BroadcastSendOptions } from '../drivers/broadcaster.interface.js';

/** One recorded `broadcast()` call. */
export interface RecordedBroadcast {
  channels: string[];
  event: string;
  payload: Record<string, unknown>;
  /** The excluded socket (toOthers / X-Socket-ID), or undefined. */
  exceptSocketId?: string;
}

/**
 * A driver that records every broadcast instead of sending it, with assertions whose
 * failure message lists what was recorded.
 */
export class BroadcasterFake implements Broadcaster {
  readonly calls: RecordedBroadcast[] = [];

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
  recorded(event?: string): RecordedBroadcast[] {
    return event === undefined
      ? [...this.calls]
      : this.calls.filter((call) => call.event === event);
  }

  /** Passes when `event` was broadcast at least once (and, given a predicate, once matching it). */
  assertBroadcasted(event: string, predicate?: (call: RecordedBroadcast) => boolean): void {
    const calls = this.recorded(event);
    if (calls.length === 0) this.fail(`Expected "${event}" to be broadcast, but it was not.`);
    if (predicate && !calls.some(predicate)) {
      this.fail(
        `Expected "${event}" to be broadcast with a call matching the predicate, but none matched.`,
      );
    }
  }

  /** Passes when `event` was broadcast on `channel` (its full name, e.g. `private-orders.1`). */
  assertBroadcastedOn(channel: string | { name: string }, event: string): void {
    const name = typeof channel === 'string' ? channel : channel.name;
    if (!this.recorded(event).some((call) => call.channels.includes(name))) {
      this.fail(`Expected "${event}" to be broadcast on "${name}", but it was not.`);
    }
  }

  assertNotBroadcasted(event: string): void {
    const count = this.recorded(event).length;
    if (count > 0)
      this.fail(`Expected "${event}" not to be broadcast, but it was broadcast ${count} time(s).`);
  }

  assertNothingBroadcasted(): void {
    if (this.calls.length > 0)
      this.fail(`Expected nothing to be broadcast, but ${this.calls.length} broadcast(s) were.`);
  }

  assertBroadcastedTimes(event: string, times: number): void {
    const count = this.recorded(event).length;
    if (count !== times)
      this.fail(
        `Expected "${event}" to be broadcast ${times} time(s), but it was broadcast ${count} time(s).`,
      );
  }

  /** Forgets every recorded call. */
  reset(): void {
    this.calls.length = 0;
  }

  private fail(message: string): never {
    throw new Error(`${message}\n${this.describe()}`);
  }

  private describe(): string {
    if (this.calls.length === 0) return 'Nothing was broadcast.';
    const lines = this.calls.map((call, index) => {
      const except = call.exceptSocketId ? ` except ${call.exceptSocketId}` : '';
      return `  ${index + 1}. "${call.event}" on [${call.channels.join(', ')}] ${safeJson(call.payload)}${except}`;
    });
    return `Recorded broadcasts:\n${lines.join('\n')}`;
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '(unserializable payload)';
  }
}
