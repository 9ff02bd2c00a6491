import cluster, { type Worker } from 'node:cluster';
import type { Counter, Registry } from 'prom-client';
import type { ServerLogger } from '../../../shared/logger.js';
import { loadPromClient } from '../../metrics/load-prom-client.js';
import { listenMetricsServer, type MetricsHttpServer } from '../../metrics/metrics-http-server.js';
import type { ResolvedMetricsOptions } from '../../metrics/resolve-metrics-options.js';
import { HostingMessages } from '../hosting-messages.js';
import { afterWorkerExit, DEFAULT_RESTART_POLICY, type RestartPolicy } from './restart-policy.js';
import { isWorkerMessage, WORKER_ENV } from './worker-ipc.js';
import { workersScrape } from './worker-metrics.js';
import { WorkersMessages } from './workers-messages.js';
import { LINK_ENV } from '../../cluster/ipc/link-messages.js';
import { PrimaryLinkHub } from '../../cluster/ipc/primary-link-hub.js';

export interface WorkersPrimaryOptions {
  workers: number;
  /** The command line each worker runs the bin with: the primary's own. */
  args: string[];
  /** Each worker's shutdown grace; the primary waits that plus 2 s before it kills. */
  graceSeconds: number;
  logger: ServerLogger;
  /** The metrics port the primary serves for every worker, or false. */
  metrics: ResolvedMetricsOptions;
  /**
   * `redis`: the workers join over Redis like separate machines; `ipc`: through this
   * primary (the in-machine link), without Redis.
   */
  link: 'redis' | 'ipc';
  policy?: RestartPolicy;
}

/** The primary of `serve --workers`, once every worker listens. */
export interface WorkersSession {
  /**
   * Sends each worker SIGTERM and waits for their graceful shutdown (within the grace plus
   * 2 s, then kills); resolves 0 when every worker exited 0, else 1. A second call kills
   * at once and resolves 1.
   */
  stop(signal: string): Promise<number>;
  /** Resolves with the exit code once the workers are gone: after stop(), or on a crash loop. */
  done: Promise<number>;
}

interface Slot {
  index: number;
  worker?: Worker;
  startedAt: number;
  served: boolean;
  /** Deaths in a row soon after a start (see restart-policy.ts). */
  failures: number;
  restart?: NodeJS.Timeout;
}

/**
 * Forks the workers (node:cluster: they share the listening port, the primary hands out
 * connections round-robin) and resolves once each one listens; resolves 1 when one exits
 * before it listened (its error is already on stderr), after stopping the others.
 */
export async function startWorkersPrimary(
  options: WorkersPrimaryOptions,
): Promise<WorkersSession | number> {
  return new WorkersPrimary(options).start();
}

class WorkersPrimary {
  private readonly slots: Slot[];
  private readonly policy: RestartPolicy;
  private url = '';
  private booted = false;
  private boot?: (ok: boolean) => void;
  private stopping?: Promise<number>;
  private metricsHttp?: MetricsHttpServer;
  private restarts?: Counter<'worker'>;
  private readonly hub?: PrimaryLinkHub;
  private finish!: (code: number) => void;
  private readonly done = new Promise<number>((resolve) => (this.finish = resolve));

  constructor(private readonly options: WorkersPrimaryOptions) {
    this.policy = options.policy ?? DEFAULT_RESTART_POLICY;
    if (options.link === 'ipc') this.hub = new PrimaryLinkHub();
    this.slots = Array.from({ length: options.workers }, (_, i) => ({
      index: i + 1,
      startedAt: 0,
      served: false,
      failures: 0,
    }));
  }

  async start(): Promise<WorkersSession | number> {
    const { logger, metrics, workers, args } = this.options;
    // First, so a busy metrics port fails before any worker starts.
    if (metrics) await this.serveMetrics(metrics);
    logger.log(WorkersMessages.starting(workers, process.pid), { workers, pid: process.pid });
    cluster.setupPrimary({ args });
    const ok = await new Promise<boolean>((resolve) => {
      this.boot = resolve;
      for (const slot of this.slots) this.fork(slot);
    });
    if (!ok) {
      await this.stopAll();
      return 1;
    }
    this.booted = true;
    const pids = this.slots.map((slot) => slot.worker?.process.pid ?? 0);
    logger.log(WorkersMessages.allReady(workers, this.url, pids, this.options.link), {
      url: this.url,
      pids,
    });
    if (this.metricsHttp)
      logger.log(HostingMessages.serveMetrics(this.metricsHttp.url), {
        metricsUrl: this.metricsHttp.url,
      });
    return { stop: (signal) => this.stop(signal), done: this.done };
  }

  private fork(slot: Slot): void {
    const worker = cluster.fork({
      [WORKER_ENV]: String(slot.index),
      ...(this.hub && { [LINK_ENV]: 'ipc' }),
    });
    Object.assign(slot, { worker, startedAt: Date.now(), served: false });
    this.hub?.add(worker);
    worker.on('message', (message: unknown) => {
      if (isWorkerMessage(message, 'nestjs-broadcasting:ready'))
        this.onReady(slot, worker, message.url);
    });
    worker.on('exit', (code, signal) => this.onExit(slot, worker, code, signal));
  }

  private onReady(slot: Slot, worker: Worker, url: string): void {
    slot.served = true;
    this.url ||= url;
    this.hub?.listening(worker);
    const pid = worker.process.pid ?? 0;
    const fields = { worker: slot.index, pid };
    if (this.booted)
      return void this.options.logger.log(WorkersMessages.workerReplaced(slot.index, pid), fields);
    this.options.logger.log(WorkersMessages.workerReady(slot.index, pid), fields);
    if (this.slots.every((each) => each.served)) this.boot?.(true);
  }

  private onExit(slot: Slot, worker: Worker, code: number | null, signal: string | null): void {
    if (slot.worker === worker) slot.worker = undefined;
    void this.hub?.remove(worker);
    if (this.stopping) return; // stopAll() waits for these exits itself
    const { logger } = this.options;
    const exit = WorkersMessages.exitOf(code, signal);
    const pid = worker.process.pid ?? 0;
    if (!this.booted) {
      logger.error(WorkersMessages.bootFailed(slot.index, exit), { worker: slot.index, pid });
      return void this.boot?.(false);
    }
    const decision = afterWorkerExit(
      slot.failures,
      Date.now() - slot.startedAt,
      slot.served,
      this.policy,
    );
    slot.failures = decision.failures;
    if (decision.action === 'give-up') {
      logger.error(WorkersMessages.crashLoop(slot.index, decision.failures), {
        worker: slot.index,
      });
      return void this.stopAll().then(() => this.finish(1));
    }
    logger.error(WorkersMessages.workerDied(slot.index, pid, exit, decision.delayMs), {
      worker: slot.index,
      pid,
      code,
      signal,
    });
    this.restarts?.inc({ worker: String(slot.index) });
    slot.restart = setTimeout(() => {
      slot.restart = undefined;
      if (!this.stopping) this.fork(slot);
    }, decision.delayMs);
  }

  private stop(signal: string): Promise<number> {
    const { logger, graceSeconds } = this.options;
    if (this.stopping) {
      logger.error(HostingMessages.signalAgain(signal), { signal });
      for (const worker of this.live()) worker.process.kill('SIGKILL');
      return Promise.resolve(1);
    }
    logger.log(WorkersMessages.stopping(signal, this.live().length, graceSeconds), { signal });
    const stopped = this.stopAll();
    void stopped.then((code) => this.finish(code));
    return stopped;
  }

  /** SIGTERM to every worker (each shuts down as a single server does), then waits. */
  private stopAll(): Promise<number> {
    return (this.stopping ??= (async () => {
      const { logger, graceSeconds } = this.options;
      for (const slot of this.slots) clearTimeout(slot.restart);
      const live = this.live();
      const exits = live.map(
        (worker) =>
          new Promise<boolean>((resolve) => {
            if (worker.isDead()) return resolve(worker.process.exitCode === 0);
            worker.once('exit', (code) => resolve(code === 0));
          }),
      );
      for (const worker of live) worker.process.kill('SIGTERM');
      const all = Promise.all(exits);
      let overdue: NodeJS.Timeout | undefined;
      const inTime = await Promise.race([
        all.then(() => true),
        new Promise<false>(
          (resolve) => (overdue = setTimeout(resolve, graceSeconds * 1000 + 2000, false)),
        ),
      ]);
      clearTimeout(overdue);
      if (!inTime) {
        const left = live.filter((worker) => !worker.isDead());
        logger.error(
          WorkersMessages.killedAfterGrace(left.map((worker) => worker.process.pid ?? 0)),
        );
        for (const worker of left) worker.process.kill('SIGKILL');
      }
      const clean = (await all).every(Boolean) && inTime;
      await this.metricsHttp?.close();
      const code = clean ? 0 : 1;
      if (clean) logger.log(WorkersMessages.stopped(code));
      else logger.error(WorkersMessages.stopped(code));
      return code;
    })());
  }

  private live(): Worker[] {
    return this.slots.flatMap((slot) =>
      slot.worker && !slot.worker.isDead() ? [slot.worker] : [],
    );
  }

  /** The one metrics port: each worker's registry over IPC, plus the primary's own. */
  private async serveMetrics(metrics: Exclude<ResolvedMetricsOptions, false>): Promise<void> {
    const prom = await loadPromClient();
    const own: Registry = new prom.Registry();
    const slots = this.slots;
    new prom.Gauge({
      name: `${metrics.prefix}workers`,
      help: 'Worker processes of this machine that listen.',
      registers: [own],
      collect(this: { set(value: number): void }) {
        this.set(
          slots.filter((slot) => slot.served && slot.worker && !slot.worker.isDead()).length,
        );
      },
    });
    this.restarts = new prom.Counter({
      name: `${metrics.prefix}worker_restarts_total`,
      help: 'Workers the primary replaced after they died.',
      labelNames: ['worker'],
      registers: [own],
    });
    const listening = () =>
      slots.flatMap((slot) =>
        slot.served && slot.worker && !slot.worker.isDead() ? [slot.worker] : [],
      );
    this.metricsHttp = await listenMetricsServer(
      workersScrape(prom, listening, own),
      metrics,
      this.options.logger,
    );
  }
}
