/** Messages between the primary and its workers over node:cluster's IPC channel. */
export const WORKER_ENV = 'NESTJS_BROADCASTING_WORKER';

export type WorkerMessage =
  | { type: 'nestjs-broadcasting:ready'; url: string }
  | { type: 'nestjs-broadcasting:metrics-request'; id: number }
  | { type: 'nestjs-broadcasting:metrics'; id: number; metrics?: unknown[]; error?: string };

export function isWorkerMessage<T extends WorkerMessage['type']>(
  message: unknown,
  type: T,
): message is Extract<WorkerMessage, { type: T }> {
  return (
    typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type
  );
}
