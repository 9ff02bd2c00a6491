import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BroadcastConfigError, resolveBroadcastConfig } from 'nestjs-broadcasting';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'broadcast-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let files = 0;
async function configFile(ext: 'json' | 'mjs', body: unknown): Promise<string> {
  const path = join(dir, `broadcasting-${files++}.${ext}`);
  const text = ext === 'json' ? JSON.stringify(body) : `export default ${JSON.stringify(body)};`;
  await writeFile(path, text);
  return path;
}

/** Resolves with nothing from the machine: only what the test passes. */
const resolve = (options: object = {}, env: Record<string, string> = {}, cwd = dir) =>
  resolveBroadcastConfig(options, { env, cwd });

async function configError(promise: Promise<unknown>): Promise<BroadcastConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BroadcastConfigError);
  return error as BroadcastConfigError;
}

describe('configuration cascade', () => {
  it('uses the defaults when nothing is set', async () => {
    const config = await resolve();
    expect(config).toMatchObject({
      default: 'null',
      app: {},
      redis: { url: 'redis://127.0.0.1:6379', prefix: '' },
      pusher: {},
      authEndpoint: '/broadcasting/auth',
      userAuthEndpoint: '/broadcasting/user-auth',
      server: { host: '127.0.0.1', port: 6001 },
    });
    expect(config.encryptionMasterKey).toBeUndefined();
    expect(config.server.scaling).toBeUndefined();
    expect(config.sources).toMatchObject({
      default: 'default',
      'redis.url': 'default',
      'server.port': 'default',
    });
  });

  it('reads every BROADCASTING_* variable', async () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const config = await resolve(
      {},
      {
        BROADCASTING_DEFAULT: 'log',
        BROADCASTING_REDIS_URL: 'redis://10.0.0.1:6380/2',
        BROADCASTING_REDIS_PREFIX: 'app:',
        BROADCASTING_REDIS_CLUSTER: '10.0.0.1:7000, 10.0.0.2:7000',
        BROADCASTING_REDIS_SHARDED: 'true',
        BROADCASTING_APP_ID: '1',
        BROADCASTING_APP_KEY: 'key',
        BROADCASTING_APP_SECRET: 'secret',
        BROADCASTING_PUSHER_HOST: 'ws.example.com',
        BROADCASTING_PUSHER_PORT: '6002',
        BROADCASTING_PUSHER_SCHEME: 'http',
        BROADCASTING_PUSHER_CLUSTER: 'eu',
        BROADCASTING_AUTH_ENDPOINT: '/api/broadcasting/auth',
        BROADCASTING_USER_AUTH_ENDPOINT: '/api/broadcasting/user-auth',
        BROADCASTING_ENCRYPTION_MASTER_KEY: key,
        BROADCASTING_SERVER_HOST: '0.0.0.0',
        BROADCASTING_SERVER_PORT: '7001',
        BROADCASTING_SERVER_SCALING: 'redis',
        BROADCASTING_SERVER_WORKERS: '2',
        BROADCASTING_METRICS_PORT: '9601',
        BROADCASTING_LOG_LEVEL: 'DEBUG',
        BROADCASTING_LOG_FORMAT: 'json',
        BROADCASTING_SERVER_TLS_CERT: '/etc/tls/cert.pem',
        BROADCASTING_SERVER_TLS_KEY: '/etc/tls/key.pem',
        BROADCASTING_SERVER_TLS_CA: '/etc/tls/ca.pem',
        BROADCASTING_SHUTDOWN_GRACE_SECONDS: '25',
        BROADCASTING_WEBHOOK_TIMEOUT_SECONDS: '6',
        BROADCASTING_WEBHOOK_RETRY_WINDOW_SECONDS: '120',
        BROADCASTING_WEBHOOK_MAX_PENDING: '500',
        BROADCASTING_AFTER_COMMIT: 'true',
        BROADCASTING_QUEUE_URL: 'redis://10.0.0.2:6379',
        BROADCASTING_QUEUE_NAME: 'events',
        BROADCASTING_QUEUE_PREFIX: 'app',
        BROADCASTING_QUEUE_DEFAULT: 'true',
        BROADCASTING_QUEUE_WORKER: 'true',
        BROADCASTING_QUEUE_CONCURRENCY: '4',
        BROADCASTING_QUEUE_ATTEMPTS: '5',
        BROADCASTING_QUEUE_BACKOFF_TYPE: 'fixed',
        BROADCASTING_QUEUE_BACKOFF_DELAY: '200',
        BROADCASTING_QUEUE_KEEP_FAILED: '10',
        BROADCASTING_QUEUE_KEEP_COMPLETED: '5',
      },
    );
    expect(config).toMatchObject({
      afterCommit: true,
      queue: {
        url: 'redis://10.0.0.2:6379',
        name: 'events',
        prefix: 'app',
        default: true,
        worker: true,
        concurrency: 4,
        attempts: 5,
        backoff: { type: 'fixed', delay: 200 },
        keepFailed: 10,
        keepCompleted: 5,
      },
      default: 'log',
      redis: {
        url: 'redis://10.0.0.1:6380/2',
        prefix: 'app:',
        cluster: ['10.0.0.1:7000', '10.0.0.2:7000'],
        sharded: true,
      },
      app: { id: '1', key: 'key', secret: 'secret' },
      pusher: { host: 'ws.example.com', port: 6002, scheme: 'http', cluster: 'eu' },
      authEndpoint: '/api/broadcasting/auth',
      userAuthEndpoint: '/api/broadcasting/user-auth',
      encryptionMasterKey: key,
      server: {
        host: '0.0.0.0',
        port: 7001,
        scaling: 'redis',
        workers: 2,
        metrics: { port: 9601 },
        log: { level: 'debug', format: 'json' },
        tls: { cert: '/etc/tls/cert.pem', key: '/etc/tls/key.pem', ca: '/etc/tls/ca.pem' },
        shutdownGraceSeconds: 25,
        webhooks: { timeoutSeconds: 6, retryWindowSeconds: 120, maxPendingPerApp: 500 },
      },
    });
    expect(new Set(Object.values(config.sources))).toEqual(new Set(['env']));
  });

  it('merges per key: option > file > env > default', async () => {
    const file = await configFile('json', {
      redis: { prefix: 'file:' },
      app: { key: 'file-key', id: 'file-id' },
    });
    const config = await resolve(
      { app: { key: 'option-key' } },
      {
        BROADCASTING_CONFIG: file,
        BROADCASTING_APP_KEY: 'env-key',
        BROADCASTING_APP_ID: 'env-id',
        BROADCASTING_APP_SECRET: 'env-secret',
        BROADCASTING_REDIS_PREFIX: 'env:',
      },
    );
    expect(config.app).toEqual({ key: 'option-key', id: 'file-id', secret: 'env-secret' });
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379', prefix: 'file:' });
    expect(config.sources).toMatchObject({
      'app.key': 'option',
      'app.id': 'file',
      'app.secret': 'env',
      'redis.prefix': 'file',
      'redis.url': 'default',
    });
  });

  it('loads an ES module config file named by BROADCASTING_CONFIG (relative to cwd)', async () => {
    const file = await configFile('mjs', { default: 'local', server: { port: 6100 } });
    const config = await resolve({}, { BROADCASTING_CONFIG: file.slice(dir.length + 1) });
    expect(config.default).toBe('local');
    expect(config.server.port).toBe(6100);
    expect(config.sources.default).toBe('file');
  });

  it('finds config/broadcasting.json under the working directory', async () => {
    const cwd = await mkdtemp(join(dir, 'app-'));
    await mkdir(join(cwd, 'config'));
    await writeFile(join(cwd, 'config', 'broadcasting.json'), JSON.stringify({ default: 'log' }));
    expect((await resolve({}, {}, cwd)).default).toBe('log');
  });

  it('prefers config/broadcasting.mjs over .json', async () => {
    const cwd = await mkdtemp(join(dir, 'app-'));
    await mkdir(join(cwd, 'config'));
    await writeFile(join(cwd, 'config', 'broadcasting.json'), JSON.stringify({ default: 'log' }));
    await writeFile(
      join(cwd, 'config', 'broadcasting.mjs'),
      `export default { default: 'local' };`,
    );
    expect((await resolve({}, {}, cwd)).default).toBe('local');
  });

  it('takes connections from the file and the options, the options winning by name', async () => {
    const file = await configFile('json', {
      connections: { a: { driver: 'log' }, b: { driver: 'redis', url: 'redis://h:1' } },
    });
    const config = await resolve(
      { connections: { b: { driver: 'null' } } },
      { BROADCASTING_CONFIG: file },
    );
    expect(config.connections).toEqual({ a: { driver: 'log' }, b: { driver: 'null' } });
  });

  it('accepts redis-pubsub as the redis driver', async () => {
    expect((await resolve({ default: 'redis-pubsub' })).default).toBe('redis');
  });

  it('reads server.workers from the options, the file and BROADCASTING_SERVER_WORKERS ("auto": one per core)', async () => {
    expect((await resolve()).server.workers).toBe(1);
    expect((await resolve({}, { BROADCASTING_SERVER_WORKERS: '3' })).server.workers).toBe(3);
    expect((await resolve({}, { BROADCASTING_SERVER_WORKERS: 'auto' })).server.workers).toBe(
      availableParallelism(),
    );
    const file = await configFile('json', { server: { workers: 4 } });
    const fromFile = await resolve(
      {},
      { BROADCASTING_CONFIG: file, BROADCASTING_SERVER_WORKERS: '2' },
    );
    expect(fromFile.server.workers).toBe(4);
    expect(fromFile.sources['server.workers']).toBe('file');
    expect(
      (await resolve({ server: { workers: 5 } }, { BROADCASTING_CONFIG: file })).server.workers,
    ).toBe(5);
  });

  it('a bad worker count names the key, the value, where it came from and the choices', async () => {
    const error = await configError(resolve({}, { BROADCASTING_SERVER_WORKERS: '0' }));
    expect(error.message).toBe(
      `Invalid broadcasting config server.workers = "0" (from env BROADCASTING_SERVER_WORKERS): ` +
        `must be a whole number of worker processes from 1 to 256, or "auto" (one per core: ${availableParallelism()} here).`,
    );
    expect(error.key).toBe('server.workers');
  });

  it('a typo of server.workers in the config file is an error that suggests it', async () => {
    const file = await configFile('json', { server: { worker: 2 } });
    const error = await configError(resolve({}, { BROADCASTING_CONFIG: file }));
    expect(error.message).toContain(
      `Unknown broadcasting config key server.worker (in config file ${file}). Did you mean "workers"?`,
    );
  });

  it('treats server scaling "off" as disabled', async () => {
    expect(
      (await resolve({}, { BROADCASTING_SERVER_SCALING: 'off' })).server.scaling,
    ).toBeUndefined();
  });
});

describe('configuration errors', () => {
  it('an unknown driver names the key, the value, the source and the choices', async () => {
    const error = await configError(resolve({}, { BROADCASTING_DEFAULT: 'kafka' }));
    expect(error.message).toBe(
      'Invalid broadcasting config default = "kafka" (from env BROADCASTING_DEFAULT): unknown driver or connection. ' +
        'Use one of: null, log, redis, pusher, local, redis-pubsub (or add it under "connections").',
    );
    expect(error.key).toBe('default');
    expect(error.source).toBe('env');
  });

  it('a malformed Redis URL fails and masks its password', async () => {
    const error = await configError(resolve({ redis: { url: 'http://user:hunter2@example.com' } }));
    expect(error.message).toContain(
      'redis.url = "http://user:****@example.com/" (from BroadcastModule options "redis.url")',
    );
    expect(error.message).toContain('must be a URL like redis://');
    expect(error.message).not.toContain('hunter2');
    expect(error.source).toBe('option');
  });

  it('an unparseable Redis URL is not printed at all', async () => {
    const error = await configError(resolve({}, { BROADCASTING_REDIS_URL: 'not a url :pw' }));
    expect(error.message).toContain('redis.url = "****" (from env BROADCASTING_REDIS_URL)');
  });

  it('the pusher driver without credentials names the missing key', async () => {
    const error = await configError(
      resolve({ default: 'pusher' }, { BROADCASTING_APP_ID: '1', BROADCASTING_APP_KEY: 'k' }),
    );
    expect(error.key).toBe('app.secret');
    expect(error.message).toContain(
      'app.secret = (unset): the pusher driver of connection "pusher" needs it',
    );
    expect(error.message).toContain('BROADCASTING_APP_SECRET');
  });

  it('the pusher driver names every missing credential in one message', async () => {
    const error = await configError(resolve({ default: 'pusher' }, { BROADCASTING_APP_KEY: 'k' }));
    expect(error.key).toBe('app.id');
    expect(error.message).toBe(
      'Invalid broadcasting config app.id, app.secret = (unset): the pusher driver of connection "pusher" needs them. ' +
        'Set BROADCASTING_APP_ID and BROADCASTING_APP_SECRET, "app.id" and "app.secret" in the config file or the module options.',
    );
    const named = await configError(resolve({ connections: { other: { driver: 'pusher' } } }));
    expect(named.message).toContain('app.id, app.key, app.secret = (unset)');
    expect(named.message).toContain('or "appId", "key" and "secret" on connections.other.');
  });

  it('a named pusher connection may bring its own credentials', async () => {
    const config = await resolve({
      default: 'realtime',
      connections: { realtime: { driver: 'pusher', appId: '1', key: 'k', secret: 's' } },
    });
    expect(config.default).toBe('realtime');
    const error = await configError(
      resolve({ connections: { other: { driver: 'pusher', appId: '1' } } }),
    );
    expect(error.message).toContain(
      'app.key, app.secret = (unset): the pusher driver of connection "other" needs them',
    );
  });

  it('a secret value is masked in its error (file source)', async () => {
    const file = await configFile('json', { encryptionMasterKey: 'too-short-secret-value' });
    const error = await configError(resolve({}, { BROADCASTING_CONFIG: file }));
    expect(error.message).toBe(
      `Invalid broadcasting config encryptionMasterKey = "****" (from config file ${file} "encryptionMasterKey"): ` +
        'must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`).',
    );
    expect(error.source).toBe('file');
  });

  it.each([
    [
      { BROADCASTING_PUSHER_PORT: '70000' },
      'pusher.port = "70000" (from env BROADCASTING_PUSHER_PORT): must be a port number',
    ],
    [
      { BROADCASTING_SERVER_PORT: 'abc' },
      'server.port = "abc" (from env BROADCASTING_SERVER_PORT): must be a port number',
    ],
    [
      { BROADCASTING_PUSHER_SCHEME: 'ftp' },
      'pusher.scheme = "ftp" (from env BROADCASTING_PUSHER_SCHEME): must be "http" or "https"',
    ],
    [
      { BROADCASTING_PUSHER_HOST: 'https://x.io' },
      'pusher.host = "https://x.io" (from env BROADCASTING_PUSHER_HOST): must be a host name',
    ],
    [
      { BROADCASTING_AUTH_ENDPOINT: 'auth' },
      'authEndpoint = "auth" (from env BROADCASTING_AUTH_ENDPOINT): must be a route path',
    ],
    [
      { BROADCASTING_SERVER_SCALING: 'kafka' },
      'server.scaling = "kafka" (from env BROADCASTING_SERVER_SCALING): must be "redis"',
    ],
  ])('rejects %o', async (env, expected) => {
    const error = await configError(resolve({}, env));
    expect(error.message).toContain(expected);
  });

  it('a missing BROADCASTING_CONFIG file is an error, not silently ignored', async () => {
    const error = await configError(resolve({}, { BROADCASTING_CONFIG: 'nope/broadcasting.json' }));
    expect(error.key).toBe('BROADCASTING_CONFIG');
    expect(error.message).toContain(
      'BROADCASTING_CONFIG points at "nope/broadcasting.json", which does not exist',
    );
  });

  it('a config file that throws names the file', async () => {
    const path = join(dir, 'throws.mjs');
    await writeFile(path, 'throw new Error("boom");');
    const error = await configError(resolve({}, { BROADCASTING_CONFIG: path }));
    expect(error.message).toContain(`Could not read the broadcasting config file ${path}: boom`);
  });

  it('malformed JSON names the file and where it breaks', async () => {
    const path = join(dir, 'broken.json');
    await writeFile(path, '{ nope');
    const error = await configError(resolve({}, { BROADCASTING_CONFIG: path }));
    expect(error.message).toContain(
      `The broadcasting config file ${path} is not valid JSON (syntax error at line 1, column 3).`,
    );
    expect(error.source).toBe('file');
  });

  it('malformed JSON never shows the file content (it holds secrets)', async () => {
    const secret = 'hunter2-app-secret';
    const cases = [
      // JSON.parse's own messages quote the text around these errors.
      `{"app": {"secret": "${secret}"} oops}`,
      `x{"app": {"secret": "${secret}"}}`,
      // Node 20: `Unexpected token 'h', ...""secret": hunter2-ap"... is not valid JSON`.
      `{"secret": ${secret}}`,
      `{\n  "app": {\n    "secret": "${secret}",\n  }\n}`,
      `{"app": {"secret": "${secret}`,
    ];
    for (const [i, text] of cases.entries()) {
      const path = join(dir, `secret-${i}.json`);
      await writeFile(path, text);
      const error = await configError(resolve({}, { BROADCASTING_CONFIG: path }));
      expect(error.message).toContain('is not valid JSON');
      expect(error.message).not.toContain(secret);
      expect(error.message).not.toContain('hunter2');
      expect(String(error.stack)).not.toContain(secret);
      expect((error as Error & { cause?: unknown }).cause).toBeUndefined();
    }
  });

  it('a Redis URL in an error hides a password with "@" and password query values', async () => {
    const error = await configError(
      resolve({}, { BROADCASTING_REDIS_URL: 'http://:p@ss-hunter2@example.com/?password=hunter3' }),
    );
    expect(error.message).toContain('redis.url = "http://:****@example.com/?password=****"');
    expect(error.message).not.toMatch(/hunter|p@ss/);
  });

  it('a connection without a driver fails', async () => {
    const error = await configError(resolve({ connections: { x: {} as never } }));
    expect(error.key).toBe('connections.x.driver');
  });

  it('a connection with a malformed Redis URL fails', async () => {
    const error = await configError(
      resolve({ connections: { r: { driver: 'redis', url: 'localhost:6379' } } }),
    );
    expect(error.message).toContain('connections.r.url = "localhost:6379"');
  });
});
