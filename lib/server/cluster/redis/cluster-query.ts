import type { RedisCommandClient } from '../../../shared/redis/redis-clients.js';
import type { ClusterRequest } from './cluster-requests.js';
import type { RedisScalingKeys } from './redis-scaling-keys.js';

interface Pending {
  expected: number;
  answers: unknown[];
  done: (answers: unknown[]) => void;
  timer: NodeJS.Timeout;
}

/**
 * Asks every other node and gathers their answers, over pub/sub. PUBLISH returns how many
 * connections received the request; every node subscribes the request channel once, so
 * that number minus this node is exactly how many answers to wait for. A node that died
 * without closing its connection is caught by the timeout; the answer is then partial.
 */
export class ClusterQuery {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Both channel names, built once: incoming messages are matched against them. */
  private readonly requests: string;
  private readonly replies: string;

  constructor(
    private readonly redis: RedisCommandClient,
    private readonly keys: RedisScalingKeys,
    private readonly nodeId: string,
    private readonly timeoutMs: number,
  ) {
    this.requests = keys.requests;
    this.replies = keys.replies(nodeId);
  }

  /** The Redis channels this node SUBSCRIBEs for queries: every node's requests, its replies. */
  get redisChannels(): string[] {
    return [this.requests, this.replies];
  }

  /** A message on a Redis channel: false when it is not a query channel. */
  receive(
    redisChannel: string,
    raw: string,
    answer: (request: ClusterRequest) => unknown,
  ): boolean {
    if (redisChannel === this.requests) this.onRequest(raw, answer);
    else if (redisChannel === this.replies) this.onReply(raw);
    else return false;
    return true;
  }

  /** The other nodes' answers; rejects when Redis is unreachable (callers answer locally). */
  async ask(request: ClusterRequest): Promise<unknown[]> {
    const id = this.nextId++;
    const body = JSON.stringify({ id, from: this.nodeId, request });
    const answers = new Promise<unknown[]>((resolve) => {
      const timer = setTimeout(() => this.finish(id), this.timeoutMs);
      timer.unref();
      this.pending.set(id, { expected: Infinity, answers: [], done: resolve, timer });
    });
    let receivers: number;
    try {
      receivers = await this.redis.publish(this.requests, body);
    } catch (error) {
      const entry = this.pending.get(id);
      if (entry) clearTimeout(entry.timer);
      this.pending.delete(id);
      throw error;
    }
    const entry = this.pending.get(id);
    if (entry) {
      entry.expected = receivers - 1;
      if (entry.answers.length >= entry.expected) this.finish(id);
    }
    return answers;
  }

  /** A request from the request channel: answers it (not our own) on the asker's reply channel. */
  private onRequest(raw: string, answer: (request: ClusterRequest) => unknown): void {
    let message: { id: number; from: string; request: ClusterRequest };
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    if (message.from === this.nodeId || !message.request) return;
    let result: unknown;
    try {
      result = answer(message.request) ?? null;
    } catch {
      result = null;
    }
    this.redis
      .publish(this.keys.replies(message.from), JSON.stringify({ id: message.id, result }))
      .catch(() => {});
  }

  /** An answer on this node's reply channel. */
  private onReply(raw: string): void {
    let message: { id: number; result: unknown };
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    const entry = this.pending.get(message.id);
    if (!entry) return;
    entry.answers.push(message.result);
    if (entry.answers.length >= entry.expected) this.finish(message.id);
  }

  /** Resolves every pending query with what it has (on close). */
  flush(): void {
    for (const id of [...this.pending.keys()]) this.finish(id);
  }

  private finish(id: number): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    entry.done(entry.answers);
  }
}
