#!/usr/bin/env node
// `nestjs-broadcasting serve`: the standalone broadcast server; `nestjs-broadcasting work`:
// the standalone worker of queued broadcasts. The logic lives in the compiled library (dist/,
// built by `npm run build`); this file only picks the command and wires the process.
import cluster from 'node:cluster';

const argv = process.argv.slice(2);
// `serve` also owns the answers to no command, an unknown one and a bare --help.
const command = argv.find((arg) => !arg.startsWith('-')) === 'work' ? 'work' : 'serve';
let run;
try {
  run =
    command === 'work'
      ? (await import('../dist/queue/work-command.js')).runWorkCommand
      : (await import('../dist/server/hosting/serve-command.js')).runServeCommand;
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  console.error(
    `nestjs-broadcasting: the compiled library is missing (${error.message}). Run \`npm run build\` first.`,
  );
  process.exit(1);
}

// Signal handlers go in before the server (or worker) starts, so a signal during start-up is
// not fatal: it stops as soon as it has started. A second signal exits at once.
let session;
let pending;
const onSignal = (signal) => {
  if (session) return void session.stop(signal).then((code) => process.exit(code));
  // A worker of `serve --workers` hears Ctrl-C (or systemd's SIGTERM to the group) and the
  // primary's SIGTERM: one request, not an impatient second one.
  if (pending && !cluster.isWorker) process.exit(1);
  pending = signal;
};
const onSigint = () => onSignal('SIGINT');
const onSigterm = () => onSignal('SIGTERM');
process.on('SIGINT', onSigint);
process.on('SIGTERM', onSigterm);

const result = await run(argv, {
  env: process.env,
  cwd: process.cwd(),
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});

if (typeof result === 'number') {
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigterm);
  process.exitCode = pending && result === 0 ? 0 : result;
  // A worker's IPC channel to the primary would keep it alive: it must exit by itself.
  if (cluster.isWorker) process.exit();
} else {
  session = result;
  // The primary of `serve --workers` may end on its own: workers crash-looping.
  session.done?.then((code) => process.exit(code));
  if (pending) onSignal(pending);
}
