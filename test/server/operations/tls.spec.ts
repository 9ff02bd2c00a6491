import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import PusherServer from 'pusher';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BroadcastServerModule } from 'nestjs-broadcasting/server';
import { BroadcastConfigError } from '../../../lib/errors/broadcast.exception.js';
import { repoRoot } from '../../support/consumer-project.js';
import { RawClient } from '../support/engine-harness.js';
import { HTTP_APP, useTestServers } from '../support/broadcast-server-harness.js';
import { buildPackage, removePackage } from '../support/built-package.js';
import { killBins, runBin } from '../support/bin-process.js';

/**
 * TLS on the server's own port, with a certificate made here by `openssl` for 127.0.0.1
 * and clients that trust it (and only it): `ws`, the `pusher` SDK and pusher-js.
 */
let dir: string;
let cert: string;
let key: string;
let otherKey: string;
let ca: Buffer;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'broadcast-tls-'));
  cert = join(dir, 'cert.pem');
  key = join(dir, 'key.pem');
  otherKey = join(dir, 'other-key.pem');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  execFileSync('openssl', [
    'req', '-x509', ...ec, '-keyout', key, '-out', cert, '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'ignore' }); // prettier-ignore
  execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', otherKey], { stdio: 'ignore' }); // prettier-ignore
  ca = readFileSync(cert);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `GET` over https trusting only the test's certificate: status and body. */
function httpsGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('startBroadcastServer with tls', () => {
  const servers = useTestServers();
  const clients: RawClient[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  it('serves wss:// and https:// on one port to clients that trust the certificate', async () => {
    const server = await servers.start({ tls: { cert, key } });
    expect(server.url).toBe(`https://127.0.0.1:${server.port}`);
    const client = await RawClient.connect(
      `wss://127.0.0.1:${server.port}/app/${HTTP_APP.key}?protocol=7`,
      { ca },
    );
    clients.push(client);
    await client.subscribe('news');

    const sdk = new PusherServer({
      appId: HTTP_APP.id,
      key: HTTP_APP.key,
      secret: HTTP_APP.secret,
      host: '127.0.0.1',
      port: String(server.port),
      useTLS: true,
      agent: new Agent({ ca }),
    });
    await sdk.trigger('news', 'over-tls', { secure: true });
    expect((await client.next('over-tls', 'news')).data).toBe('{"secure":true}');
    expect(await httpsGet(`${server.url}/up`)).toEqual({ status: 200, body: '{"status":"ok"}' });
  });

  it('is TLS for real: plain ws:// and untrusting clients get nothing', async () => {
    const server = await servers.start({ tls: { cert, key } });
    const path = `/app/${HTTP_APP.key}?protocol=7`;
    const plain = await RawClient.connect(`ws://127.0.0.1:${server.port}${path}`, {
      established: false,
    });
    const untrusting = await RawClient.connect(`wss://127.0.0.1:${server.port}${path}`, {
      established: false,
    });
    clients.push(plain, untrusting);
    expect(await plain.closed()).toBe(1006);
    expect(await untrusting.closed()).toBe(1006);
    expect([...plain.frames, ...untrusting.frames]).toEqual([]);
  });

  it('delivers to pusher-js with forceTLS, trusting the certificate through NODE_EXTRA_CA_CERTS', async () => {
    const server = await servers.start({ tls: { cert, key } });
    const script = join(dir, 'pusher-js-client.mjs');
    writeFileSync(
      script,
      `import { createRequire } from 'node:module';
const Pusher = createRequire(${JSON.stringify(join(repoRoot, 'package.json'))})('pusher-js');
const client = new Pusher(${JSON.stringify(HTTP_APP.key)}, {
  cluster: 'mt1', wsHost: '127.0.0.1', wssPort: ${server.port}, forceTLS: true,
  enabledTransports: ['ws'], disableStats: true, // 'ws' is the transport; forceTLS makes it wss://
});
client.subscribe('news').bind('pusher:subscription_succeeded', () => console.log('subscribed'));
client.bind('over-tls', (data) => { console.log(JSON.stringify(data)); client.disconnect(); });
`,
    );
    const child = spawn(process.execPath, [script], {
      env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: cert },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      await expect.poll(() => out, { timeout: 30_000 }).toContain('subscribed');
      server.engine.publish(HTTP_APP.id, ['news'], 'over-tls', '{"via":"pusher-js"}');
      await expect.poll(() => out, { timeout: 30_000 }).toContain('{"via":"pusher-js"}');
    } finally {
      child.kill();
      await exited;
    }
  }, 60_000);

  it('refuses a missing file, naming the key, the path and where to set it', async () => {
    const missing = join(dir, 'nope.pem');
    const error = await servers.start({ tls: { cert: missing, key } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BroadcastConfigError);
    expect(error).toMatchObject({ key: 'server.tls.cert', source: 'option' });
    expect((error as Error).message).toBe(
      `Cannot read the TLS cert file ${missing} (ENOENT): fix tls.cert ` +
        '(BROADCASTING_SERVER_TLS_CERT, "server.tls.cert" in the config file or --tls-cert).',
    );
  });

  it('refuses a key that does not belong to the certificate, never quoting either', async () => {
    const error = await servers.start({ tls: { cert, key: otherKey } }).then(
      () => new Error('started'),
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(BroadcastConfigError);
    expect(error.message).toContain(
      `The TLS certificate ${cert} and key ${otherKey} cannot be used`,
    );
    expect(error.message).not.toMatch(/BEGIN|PRIVATE/);
  });

  it('refuses half a pair from the environment, naming the missing variable', async () => {
    const { resolveServerOptions } =
      await import('../../../lib/server/options/resolve-server-options.js');
    const { applyConfigCascade } = await import('../../../lib/config/resolve-config.js');
    const config = applyConfigCascade({}, undefined, { BROADCASTING_SERVER_TLS_CERT: cert });
    expect(() => resolveServerOptions({ apps: [HTTP_APP] }, config)).toThrow(
      'TLS needs both tls.cert and tls.key; tls.key is missing (from env). ' +
        'Set BROADCASTING_SERVER_TLS_KEY or "server.tls.key" in the config file.',
    );
  });
});

describe('tls where it cannot apply', () => {
  it("fails a server sharing the Nest app's port, pointing at httpsOptions", async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        BroadcastServerModule.forRoot({
          apps: [HTTP_APP],
          tls: { cert, key },
          redis: false,
          logger: false,
        }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication();
    try {
      await expect(app.init()).rejects.toThrow(/give NestFactory\.create\(\) httpsOptions/);
    } finally {
      await app.close().catch(() => {});
    }
  });
});

describe('the bin with BROADCASTING_SERVER_TLS_CERT / _KEY', () => {
  let pkg: string;
  beforeAll(() => {
    pkg = buildPackage('tls');
  }, 120_000);
  afterAll(() => removePackage(pkg));
  afterEach(() => killBins());

  it('listens on https:// and wss://', async () => {
    const bin = runBin(pkg, ['serve'], {
      BROADCASTING_APP_ID: HTTP_APP.id,
      BROADCASTING_APP_KEY: HTTP_APP.key,
      BROADCASTING_APP_SECRET: HTTP_APP.secret,
      BROADCASTING_SERVER_PORT: '0',
      BROADCASTING_SERVER_TLS_CERT: cert,
      BROADCASTING_SERVER_TLS_KEY: key,
    });
    const { url, port } = await bin.listening();
    expect(url).toBe(`https://127.0.0.1:${port}`);
    expect(bin.out.join('')).toContain(`WebSocket wss://127.0.0.1:${port}/app/${HTTP_APP.key}`);
    expect((await httpsGet(`${url}/up`)).status).toBe(200);
    const client = await RawClient.connect(
      `wss://127.0.0.1:${port}/app/${HTTP_APP.key}?protocol=7`,
      { ca },
    );
    expect(client.socketId).toMatch(/^\d+\.\d+$/);
    client.close();
    bin.child.kill('SIGTERM');
    expect(await bin.exit).toBe(0);
  }, 60_000);

  it('takes --tls-cert and --tls-key as flags', async () => {
    const bin = runBin(pkg, ['serve', '--tls-cert', cert, '--tls-key', key, '--port', '0'], {
      BROADCASTING_APP_ID: HTTP_APP.id,
      BROADCASTING_APP_KEY: HTTP_APP.key,
      BROADCASTING_APP_SECRET: HTTP_APP.secret,
    });
    const { url } = await bin.listening();
    expect((await httpsGet(`${url}/up`)).status).toBe(200);
    bin.child.kill('SIGTERM');
    expect(await bin.exit).toBe(0);
  }, 60_000);
});
