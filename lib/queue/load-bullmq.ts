import { loadOptionalPackage } from '../shared/optional-package.js';

/** The parts of BullMQ this package uses. */
export interface BullQueue {
  add(name: string, data: unknown, options?: Record<string, unknown>): Promise<{ id?: string }>;
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
}

export interface BullJob<T = unknown> {
  id?: string;
  name: string;
  data: T;
  attemptsMade: number;
  opts: { attempts?: number };
  queueName: string;
  updateData(data: T): Promise<void>;
}

export interface BullWorker {
  on(event: 'failed', listener: (job: BullJob | undefined, error: Error) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  waitUntilReady(): Promise<unknown>;
  close(force?: boolean): Promise<void>;
}

export interface BullmqModule {
  Queue: new (name: string, options: Record<string, unknown>) => BullQueue;
  Worker: new (
    name: string,
    processor: (job: BullJob) => Promise<unknown>,
    options: Record<string, unknown>,
  ) => BullWorker;
}

/** Loads `bullmq`, an optional peer, only when a queue is configured. */
export function loadBullmq(
  neededBy = 'Queued broadcasting (the queue option)',
): Promise<BullmqModule> {
  return loadOptionalPackage<BullmqModule>('bullmq', neededBy);
}
