#!/usr/bin/env node
// `nestjs-broadcasting serve`: the standalone broadcast server. The logic lives in the
// compiled library (dist/, built by `npm run build`); this file only wires the process.
let runServeCommand;
try {
  ({ runServeCommand } = await import('../dist/server/hosting/serve-command.js'));
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  console.error(
    `nestjs-broadcasting: the compiled library is missing (${error.message}). Run \`npm run build\` first.`,
  );
  process.exit(1);
}

// Signal handlers go in before the server starts, so a signal during start-up is not fatal.
let server;
let stopping;
const stop = async (signal) => {
  if (stopping) {
    console.error(`nestjs-broadcasting: ${signal} again, exiting without waiting.`);
    process.exit(1);
  }
  stopping = signal;
  if (!server) return; // closed as soon as it has started
  console.log(`nestjs-broadcasting: ${signal} received, closing connections...`);
  try {
    await server.close();
    console.log('nestjs-broadcasting: stopped.');
    process.exit(0);
  } catch (error) {
    console.error(`nestjs-broadcasting: failed to close cleanly: ${error?.message ?? error}`);
    process.exit(1);
  }
};
const onSigint = () => void stop('SIGINT');
const onSigterm = () => void stop('SIGTERM');
process.on('SIGINT', onSigint);
process.on('SIGTERM', onSigterm);

const result = await runServeCommand(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});

if (typeof result === 'number') {
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigterm);
  process.exitCode = stopping && result === 0 ? 0 : result;
} else {
  server = result;
  if (stopping) {
    const signal = stopping;
    stopping = undefined;
    void stop(signal);
  }
}
