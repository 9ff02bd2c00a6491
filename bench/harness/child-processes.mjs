import { fork } from 'node:child_process';

/**
 * Every process the bench starts goes through here, so that all of them are killed when the
 * bench ends, fails or is interrupted: no stray servers or load generators on a shared machine.
 */
const live = new Set();

/** A forked child that answers `{ id, type, ...args }` requests over IPC (see ipc-child.mjs). */
export class ChildHandle {
  constructor(proc, label) {
    this.proc = proc;
    this.label = label;
    this.nextId = 1;
    this.pending = new Map();
    this.exited = false;
    this.stderr = '';
    proc.stderr?.on('data', (chunk) => {
      // Keep the tail only: enough to explain a crash without holding a flood of logs.
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    proc.on('message', (message) => {
      const waiter = this.pending.get(message?.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      clearTimeout(waiter.timer);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`${this.label}: ${message.error}`));
    });
    proc.on('exit', (code, signal) => {
      this.exited = true;
      live.delete(this);
      const why = `${this.label} exited (code ${code}, signal ${signal})\n${this.stderr}`;
      for (const waiter of this.pending.values()) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(why));
      }
      this.pending.clear();
    });
  }

  get pid() {
    return this.proc.pid;
  }

  /** Sends a request and waits for its answer, at most `timeoutMs`. */
  request(type, args = {}, timeoutMs = 60_000) {
    if (this.exited) return Promise.reject(new Error(`${this.label} is not running`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.label}: '${type}' got no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.proc.send({ id, type, ...args });
    });
  }

  /** Asks the child to exit (SIGTERM lets --cpu-prof write its profile), then forces it. */
  async stop(graceMs = 3000) {
    if (this.exited) return;
    const exited = new Promise((resolve) => this.proc.once('exit', resolve));
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => !this.exited && this.proc.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * Forks `modulePath` with an IPC channel; the child must call `serveRequests` and send
 * `{ type: 'ready' }` once it can take requests. Resolves when it is ready. `wrapper`
 * (`[command, ...args]`) runs node under another program, e.g. valgrind; the child's pid
 * is still the wrapped node's, since valgrind runs its guest in its own process.
 */
export async function startChild(
  modulePath,
  { args = [], execArgv = [], label, env, wrapper, readyMs = 30_000 } = {},
) {
  const proc = fork(modulePath, args, {
    ...(wrapper
      ? { execPath: wrapper[0], execArgv: [...wrapper.slice(1), process.execPath, ...execArgv] }
      : { execArgv }),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  const handle = new ChildHandle(proc, label ?? modulePath);
  live.add(handle);
  await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${handle.label} not ready in ${readyMs / 1000} s`)),
      readyMs,
    );
    proc.on('message', function onReady(message) {
      if (message?.type !== 'ready') return;
      clearTimeout(timer);
      proc.off('message', onReady);
      resolve();
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${handle.label} exited before ready (code ${code})\n${handle.stderr}`));
    });
  });
  return handle;
}

/**
 * A process the bench spawned itself (the bin, which has no IPC requests to answer), tracked
 * like the forked children so it is stopped with them.
 */
export function trackProcess(proc, label) {
  const handle = new ChildHandle(proc, label);
  live.add(handle);
  return handle;
}

/** Stops every child still running; safe to call more than once. */
export async function stopAll() {
  await Promise.all([...live].map((child) => child.stop()));
}

function killAllNow() {
  for (const child of live) {
    if (!child.exited) child.proc.kill('SIGKILL');
  }
}

process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killAllNow();
    process.exit(130);
  });
}
