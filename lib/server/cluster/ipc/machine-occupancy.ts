/**
 * Which workers of the machine have subscribers on which channels, kept by the primary so
 * `channel_occupied` / `channel_vacated` are decided once per machine: occupied when the
 * first worker gets a subscriber, vacated when the last one loses it or dies. Each worker
 * reports only its own first and last local subscriber, so a count of workers per channel
 * is enough. Generic over the worker handle so it is tested without processes.
 */
export class MachineOccupancy<Worker> {
  /** appId + '\n' + channel → how many workers have a subscriber on it. */
  private readonly workersPerChannel = new Map<string, number>();
  private readonly channelsOf = new Map<Worker, Set<string>>();

  /** The worker got its first subscriber; true when no worker had one (machine-wide first). */
  occupy(worker: Worker, appId: string, channel: string): boolean {
    let held = this.channelsOf.get(worker);
    if (!held) this.channelsOf.set(worker, (held = new Set()));
    const k = key(appId, channel);
    // A repeated report (never sent by a correct worker) must not count the worker twice.
    if (held.has(k)) return false;
    held.add(k);
    const count = (this.workersPerChannel.get(k) ?? 0) + 1;
    this.workersPerChannel.set(k, count);
    return count === 1;
  }

  /** The worker lost its last subscriber; true when no worker has one left. */
  vacate(worker: Worker, appId: string, channel: string): boolean {
    const k = key(appId, channel);
    if (!this.channelsOf.get(worker)?.delete(k)) return false;
    return this.release(k);
  }

  /** The worker is gone: the channels only it held, now vacant machine-wide. */
  drop(worker: Worker): { appId: string; channel: string }[] {
    const held = this.channelsOf.get(worker);
    this.channelsOf.delete(worker);
    const vacated: { appId: string; channel: string }[] = [];
    for (const k of held ?? []) {
      if (!this.release(k)) continue;
      const cut = k.indexOf('\n');
      vacated.push({ appId: k.slice(0, cut), channel: k.slice(cut + 1) });
    }
    return vacated;
  }

  private release(k: string): boolean {
    const count = (this.workersPerChannel.get(k) ?? 1) - 1;
    if (count > 0) {
      this.workersPerChannel.set(k, count);
      return false;
    }
    this.workersPerChannel.delete(k);
    return true;
  }
}

// A newline never occurs in an app id or a channel name.
function key(appId: string, channel: string): string {
  return `${appId}\n${channel}`;
}
