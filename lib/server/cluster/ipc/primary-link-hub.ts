import type { Worker } from 'node:cluster';
import { isPresenceChannel } from '../../../shared/pusher-protocol/channel-prefixes.js';
import type { AdapterPublish, ChannelStats, PresenceMember } from '../server-adapter.interface.js';
import type { WebhookEvent } from '../../../webhooks/webhook-event.js';
import { SingleNodeAdapter } from '../single-node.adapter.js';
import { isLinkMessage, type LinkMessage, type LocalQuery } from './link-messages.js';
import { MachineOccupancy } from './machine-occupancy.js';
import { memberRemoved } from '../redis/roster-change.js';

/** One presence membership a worker's socket holds, kept so the worker's death can undo it. */
interface Membership {
  appId: string;
  channel: string;
  socketId: string;
  userId: string;
}

/**
 * The primary's side of the in-machine link. The machine is one cluster whose shared state
 * lives here: rosters and cache-channel events in a {@link SingleNodeAdapter} (the same
 * rules as a lone server: presence per user, cache TTL), counts summed from every listening
 * worker's own. A publish from one worker is forwarded to every other; when a worker dies,
 * its sockets' memberships are removed and `member_removed` goes to the others for each user
 * it leaves without a socket, as the dead-node sweep does over Redis.
 *
 * Occupancy and membership changes are decided here once per machine: the answer to a
 * worker's `occupy` / `joinPresence` / ... says whether it was the machine's first / last,
 * and that worker notifies. What a dead worker leaves behind (`member_removed`,
 * `channel_vacated`) no worker's call decided, so exactly one surviving worker is told to
 * notify it; with none listening (a single worker died), the replacement is told once it
 * listens.
 */
export class PrimaryLinkHub {
  private readonly store = new SingleNodeAdapter();
  private readonly occupancy = new MachineOccupancy<Worker>();
  /** Changes of dead workers waiting for a listening worker to notify them. */
  private untold: { appId: string; event: WebhookEvent }[] = [];
  private readonly workers = new Map<
    Worker,
    { listening: boolean; members: Map<string, Membership> }
  >();
  private nextQuery = 0;

  constructor(private readonly queryTimeoutMs = 2_000) {}

  /** A forked worker: its messages are served from now on. */
  add(worker: Worker): void {
    this.workers.set(worker, { listening: false, members: new Map() });
    worker.on('message', (message: unknown) => {
      if (isLinkMessage(message)) void this.receive(worker, message);
    });
  }

  /** The worker listens: it is asked for its counts from now on. */
  listening(worker: Worker): void {
    const state = this.workers.get(worker);
    if (state) state.listening = true;
    this.tell();
  }

  /** The worker is gone: its memberships go, and the others hear of users left with none. */
  async remove(worker: Worker): Promise<void> {
    const state = this.workers.get(worker);
    this.workers.delete(worker);
    // Taken at once, before any await, so a message racing the exit cannot count it again.
    const vacated = this.occupancy.drop(worker);
    for (const { appId, channel, socketId, userId } of state?.members.values() ?? []) {
      const { lastForUser } = await this.store.leavePresence(appId, channel, socketId, userId);
      if (!lastForUser) continue;
      this.forward(undefined, memberRemoved({ appId, channel, userId }));
      this.untold.push({ appId, event: { name: 'member_removed', channel, user_id: userId } });
    }
    // After the members, as a node leaving its channels reports them.
    for (const { appId, channel } of vacated)
      this.untold.push({ appId, event: { name: 'channel_vacated', channel } });
    this.tell();
  }

  /** Hands the dead workers' changes to one listening worker, which notifies them once. */
  private tell(): void {
    if (this.untold.length === 0) return;
    for (const [worker, state] of this.workers)
      if (state.listening && worker.isConnected()) {
        send(worker, { type: 'link:notify', events: this.untold });
        this.untold = [];
        return;
      }
  }

  private async receive(worker: Worker, message: LinkMessage): Promise<void> {
    if (message.type === 'link:publish') {
      this.store.publish(message.message); // remembers cache-channel events
      if (!message.message.thisNodeOnly) this.forward(worker, message.message);
      return;
    }
    if (message.type !== 'link:call') return;
    const { id } = message;
    try {
      const result = await this.answer(worker, message.method, message.args);
      send(worker, { type: 'link:reply', id, result });
    } catch (error) {
      send(worker, { type: 'link:reply', id, error: (error as Error)?.message ?? String(error) });
    }
  }

  private async answer(worker: Worker, method: string, args: any[]): Promise<unknown> {
    const store = this.store;
    const state = this.workers.get(worker);
    switch (method) {
      // Synchronous up to the answer: a worker's calls are decided in the order it sent them.
      case 'occupy':
        return state !== undefined && this.occupancy.occupy(worker, args[0], args[1]);
      case 'vacate':
        return this.occupancy.vacate(worker, args[0], args[1]);
      case 'joinPresence': {
        const [appId, channel, socketId, member] = args as [string, string, string, PresenceMember];
        // A worker already removed (its exit raced this call) would leave a member forever.
        if (!state) return { firstForUser: false };
        const result = await store.joinPresence(appId, channel, socketId, member);
        state.members.set(membershipKey(appId, channel, socketId), {
          appId,
          channel,
          socketId,
          userId: member.id,
        });
        return result;
      }
      case 'leavePresence': {
        const [appId, channel, socketId, userId] = args as [string, string, string, string];
        // A removed worker's memberships are remove()'s to undo and report, not a dead caller's.
        if (!state) return { lastForUser: false };
        state.members.delete(membershipKey(appId, channel, socketId));
        return store.leavePresence(appId, channel, socketId, userId);
      }
      case 'presenceMembers':
        return [...(await store.presenceMembers(args[0], args[1]))];
      case 'cachedEvent':
        return store.cachedEvent(args[0], args[1]);
      case 'channels': {
        const [appId, prefix] = args as [string, string | undefined];
        const counts = await this.localChannels(appId, prefix);
        const stats: [string, ChannelStats][] = [];
        for (const [name, count] of counts)
          stats.push([name, await this.stats(appId, name, count)]);
        return stats;
      }
      case 'channel': {
        const [appId, name] = args as [string, string];
        const counts = await this.localChannels(appId, name);
        return this.stats(appId, name, counts.get(name) ?? 0);
      }
      case 'connectionCount': {
        const answers = await this.ask({ what: 'connections', appId: args[0] });
        return (answers as number[]).reduce((sum, n) => sum + n, 0);
      }
      case 'terminateUserConnections':
        for (const each of this.workers.keys())
          send(each, { type: 'link:terminate', appId: args[0], userId: args[1] });
        return undefined;
      default:
        throw new Error(`Unknown in-machine link method ${method}.`);
    }
  }

  private async stats(appId: string, name: string, count: number): Promise<ChannelStats> {
    const stats: ChannelStats = { occupied: count > 0, subscriptionCount: count };
    if (isPresenceChannel(name))
      stats.userCount = (await this.store.presenceMembers(appId, name)).size;
    return stats;
  }

  /** Every listening worker's subscription count per channel, summed. */
  private async localChannels(appId: string, prefix?: string): Promise<Map<string, number>> {
    const sums = new Map<string, number>();
    for (const entries of (await this.ask({ what: 'channels', appId, prefix })) as [
      string,
      number,
    ][][])
      for (const [name, count] of entries) sums.set(name, (sums.get(name) ?? 0) + count);
    return sums;
  }

  /** Asks each listening worker; one that does not answer in time (dying) is left out. */
  private ask(query: LocalQuery): Promise<unknown[]> {
    const id = ++this.nextQuery;
    const asked = [...this.workers].filter(
      ([worker, state]) => state.listening && worker.isConnected(),
    );
    return Promise.all(
      asked.map(
        ([worker]) =>
          new Promise<unknown>((resolve) => {
            const done = (result: unknown) => {
              clearTimeout(timer);
              worker.off('message', onMessage);
              worker.off('exit', onExit);
              resolve(result);
            };
            const onMessage = (message: unknown) => {
              if (
                isLinkMessage(message) &&
                message.type === 'link:local-reply' &&
                message.id === id
              )
                done(message.result);
            };
            const onExit = () => done(undefined);
            const timer = setTimeout(() => done(undefined), this.queryTimeoutMs);
            worker.on('message', onMessage);
            worker.on('exit', onExit);
            send(worker, { type: 'link:local', id, query });
          }),
      ),
    ).then((answers) => answers.filter((answer) => answer !== undefined));
  }

  /** To every worker but `from`. */
  private forward(from: Worker | undefined, message: AdapterPublish): void {
    for (const worker of this.workers.keys())
      if (worker !== from) send(worker, { type: 'link:deliver', message });
  }
}

function send(worker: Worker, message: LinkMessage): void {
  if (!worker.isConnected()) return;
  try {
    worker.send(message);
  } catch {
    // The worker is exiting; its exit removes it.
  }
}

function membershipKey(appId: string, channel: string, socketId: string): string {
  return `${appId}\n${channel}\n${socketId}`;
}
