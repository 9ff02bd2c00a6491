import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/broadcast-server-harness.js';
import { buildPackage, removePackage } from '../support/built-package.js';
import { RawClient } from '../support/engine-harness.js';
import { scrape, scrapeUntil } from '../support/metrics-scrape.js';
import { freePort } from '../scaling/support/cluster-harness.js';

/**
 * Metrics of the standalone bin, as an operator turns them on (BROADCASTING_METRICS_PORT,
 * or `server.metrics.port` in the config file), from a build in a package root of its own;
 * and the same build in a project that never installed prom-client.
 */
const APP = { id: 'metrics-bin-app', key: 'metrics-bin-key', secret: 'metrics-bin-secret' };
const appEnv = {
  BROADCASTING_APP_ID: APP.id,
  BROADCASTING_APP_KEY: APP.key,
  BROADCASTING_APP_SECRET: APP.secret,
  BROADCASTING_SERVER_HOST: '127.0.0.1',
  BROADCASTING_SERVER_PORT: '0',
};

let pkg: string;
let withoutPromClient: string;
const children: ChildProcess[] = [];
const sockets: RawClient[] = [];

beforeAll(() => {
  pkg = buildPackage('metrics-bin');
  withoutPromClient = buildPackage('metrics-bin-no-prom', { without: ['prom-client'] });
}, 120_000);
afterAll(() => {
  removePackage(pkg);
  removePackage(withoutPromClient);
});
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.ws.terminate();
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function serve(root: string, env: Record<string, string>, args: string[] = []) {
  const child = spawn(
    process.execPath,
    [join(root, 'bin/nestjs-broadcasting.mjs'), 'serve', ...args],
    {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env },
    },
  );
  children.push(child);
  const out: string[] = [];
  const err: string[] = [];
  child.stdout.on('data', (d) => out.push(String(d)));
  child.stderr.on('data', (d) => err.push(String(d)));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const started = async () => {
    const [, url, metrics] = await waitFor(
      () => /listening on (http:\/\/\S+)[\s\S]*metrics: (http:\/\/\S+)/.exec(out.join('')),
      15_000,
      `the listening and metrics lines (stderr: ${err.join('')})`,
    );
    return { port: Number(new URL(url).port), metrics };
  };
  return { child, out, err, exit, started };
}

async function connect(port: number): Promise<RawClient> {
  const socket = await RawClient.connect(`ws://127.0.0.1:${port}/app/${APP.key}?protocol=7`);
  sockets.push(socket);
  return socket;
}

describe('nestjs-broadcasting serve: metrics', { timeout: 90_000 }, () => {
  it('serves /metrics on BROADCASTING_METRICS_PORT with the live connection count, and stops on SIGTERM', async () => {
    const metricsPort = await freePort();
    const r = serve(pkg, { ...appEnv, BROADCASTING_METRICS_PORT: String(metricsPort) });
    const { port, metrics } = await r.started();
    expect(metrics).toBe(`http://127.0.0.1:${metricsPort}/metrics`);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);

    const clients = await Promise.all([connect(port), connect(port), connect(port)]);
    await scrapeUntil(
      metrics,
      (m) => m.value('broadcasting_connections', { app_id: APP.id }) === 3,
      '3 connections',
    );
    clients[0].ws.close(1000);
    const m = await scrapeUntil(
      metrics,
      (s) => s.value('broadcasting_connections', { app_id: APP.id }) === 2,
      '2 connections',
    );
    expect(m.value('broadcasting_connections_closed_total', { app_id: APP.id, code: '1000' })).toBe(
      1,
    );
    expect(m.value('broadcasting_connections_opened_total', { app_id: APP.id })).toBe(3);
    expect(m.value('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(m.text).not.toContain(APP.secret);

    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(0);
    await expect(fetch(metrics)).rejects.toThrow();
  });

  it('reads the metrics port from the config file’s server.metrics.port', async () => {
    const metricsPort = await freePort();
    const file = join(pkg, 'broadcasting.metrics.json');
    writeFileSync(
      file,
      JSON.stringify({ app: APP, server: { port: 0, metrics: { port: metricsPort } } }),
    );
    const r = serve(pkg, { BROADCASTING_CONFIG: file });
    const { metrics } = await r.started();
    expect(metrics).toBe(`http://127.0.0.1:${metricsPort}/metrics`);
    expect((await scrape(metrics)).value('broadcasting_connections', { app_id: APP.id })).toBe(0);
  });

  it('exits 1 naming BROADCASTING_METRICS_PORT when it is not a port', async () => {
    const r = serve(pkg, { ...appEnv, BROADCASTING_METRICS_PORT: 'ninety' });
    expect(await r.exit).toBe(1);
    expect(r.err.join('')).toContain('BROADCASTING_METRICS_PORT');
    expect(r.err.join('')).not.toContain(APP.secret);
  });

  it('without prom-client installed: exits 1 saying to install it, and serves fine without metrics', async () => {
    const r = serve(withoutPromClient, { ...appEnv, BROADCASTING_METRICS_PORT: '0' });
    expect(await r.exit).toBe(1);
    expect(r.err.join('')).toContain(
      'Server metrics (the "metrics" option, BROADCASTING_METRICS_PORT) needs the "prom-client" ' +
        'package, which is not installed. Run: npm install prom-client',
    );
    expect(r.err.join('')).not.toMatch(/\n\s+at /); // a message, not a stack trace

    const plain = serve(withoutPromClient, appEnv);
    const [, url] = await waitFor(
      () => /listening on (http:\/\/\S+)/.exec(plain.out.join('')),
      15_000,
      `the listening line (stderr: ${plain.err.join('')})`,
    );
    expect(plain.out.join('')).not.toContain('metrics:');
    expect((await fetch(`${url}/up`)).status).toBe(200);
  });
});
