/**
 * `npm run start:redis`: starts the two processes of the Redis setup with one command,
 * sharing the app credentials through BROADCASTING_* variables:
 *
 *   1. `nestjs-broadcasting serve`: the WebSocket server, reading broadcasts from Redis;
 *   2. `main-redis.js`: the dashboard app, publishing with the `redis` driver.
 *
 * The app starts only once the server listens, so the dashboard URL is never printed for a
 * setup whose server failed. Ctrl-C stops both. To run them yourself, in two terminals, see
 * sample/README.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sampleAppCredentials } from './sample-options.js';

/** The package's `nestjs-broadcasting` bin, found the way npm would link it. */
function broadcastingBin(): string {
  const manifestPath = createRequire(import.meta.url).resolve('nestjs-broadcasting/package.json');
  const { bin } = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    bin?: string | Record<string, string>;
  };
  // Inside this repository before package.json declares "bin", the file sits at its usual place.
  const relative =
    (typeof bin === 'string' ? bin : bin?.['nestjs-broadcasting']) ?? 'bin/nestjs-broadcasting.mjs';
  return join(dirname(manifestPath), relative);
}

const app = sampleAppCredentials();
const env: NodeJS.ProcessEnv = {
  ...process.env,
  BROADCASTING_APP_ID: app.id,
  BROADCASTING_APP_KEY: app.key,
  BROADCASTING_APP_SECRET: app.secret,
  BROADCASTING_SERVER_PORT: process.env.BROADCASTING_SERVER_PORT || '6001',
};

const children: ChildProcess[] = [];
let stopping = false;

function run(name: string, args: string[]): ChildProcess {
  // Own process group: Ctrl-C reaches the children once, through stop(), not twice.
  const child = spawn(process.execPath, args, {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  child.stdout!.pipe(process.stdout);
  children.push(child);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    const others = children.length > 1 ? '; stopping the other process' : '';
    console.error(`[start:redis] ${name} exited (${signal ?? code})${others}.`);
    stop(code || 1);
  });
  return child;
}

/** Resolves when the child prints `pattern`, or exits first (run() reports that). */
function printed(child: ChildProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (!pattern.test(seen)) return;
      child.stdout!.off('data', onData);
      resolve();
    };
    child.stdout!.on('data', onData);
  });
}

function stop(code: number): void {
  stopping = true;
  process.exitCode = code;
  killChildren();
}

function killChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
// The children have process groups of their own: never leave them behind.
process.on('exit', killChildren);

// --redis: deliver what the app's redis driver publishes (BROADCASTING_REDIS_URL or _CLUSTER, _PREFIX).
const server = run('nestjs-broadcasting serve', [broadcastingBin(), 'serve', '--redis']);
await printed(server, /listening on /);
if (!stopping) run('dashboard app', [fileURLToPath(new URL('./main-redis.js', import.meta.url))]);
