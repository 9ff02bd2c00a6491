import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildSample,
  freePort,
  holdPort,
  openPusherSocket,
  runSample,
  runToExit,
  type SampleProcess,
} from './sample-process.js';

/**
 * The paths the npm scripts take from a fresh clone: the sample compiled by tsc against the
 * built package (dist/, through the package's own "exports"), run by plain node.
 */
describe('the sample npm scripts (compiled against the built package)', () => {
  beforeAll(() => buildSample());

  describe('npm start: local driver, server on the app port', () => {
    let sample: SampleProcess;
    beforeAll(async () => {
      sample = await runSample('dist-sample/main.js', { PORT: '0', HOST: '127.0.0.1' });
    }, 90_000);
    afterAll(async () => {
      await sample?.stop();
    });

    it('prints the URL of a dashboard that serves the page', async () => {
      expect(sample.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const page = await fetch(sample.url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Orders dashboard');
    });

    it('accepts Pusher-protocol WebSocket connections on the same port', async () => {
      const { key } = await (await fetch(`${sample.url}/api/config`)).json();
      const { socket, established } = await openPusherSocket(
        `${sample.url.replace('http', 'ws')}/app/${key}?protocol=7&client=js&version=8.6.0`,
      );
      socket.close();
      expect(established.socket_id).toMatch(/^\d+\.\d+$/);
    });
  });

  describe('a start that fails prints no URL', { timeout: 60_000 }, () => {
    it('npm start on a taken port: one sentence, exit 1, no "successfully started"', async () => {
      const held = await holdPort();
      try {
        const { code, output } = await runToExit('dist-sample/main.js', {
          PORT: String(held.port),
          HOST: '127.0.0.1',
        });
        expect(code).toBe(1);
        expect(output).toContain(`Port ${held.port} is in use`);
        expect(output).not.toContain('successfully started');
        expect(output).not.toMatch(/Orders dashboard[^:]*: http/);
      } finally {
        await held.release();
      }
    });

    it('npm run start:redis whose server port is taken: the app never starts', async () => {
      const held = await holdPort();
      try {
        const { code, output } = await runToExit('dist-sample/start-redis.js', {
          PORT: '0',
          HOST: '127.0.0.1',
          BROADCASTING_SERVER_HOST: '127.0.0.1',
          BROADCASTING_SERVER_PORT: String(held.port),
        });
        expect(code).toBe(1);
        expect(output).toContain(`port ${held.port} is already in use`);
        expect(output).not.toContain('Starting Nest application');
        expect(output).not.toMatch(/Orders dashboard[^:]*: http/);
      } finally {
        await held.release();
      }
    });
  });

  describe('npm run start:redis: redis driver, standalone server process', () => {
    const prefix = `test-sample-launch-${process.pid}-${randomBytes(4).toString('hex')}:`;
    let serverPort: number;
    let sample: SampleProcess;

    beforeAll(async () => {
      serverPort = await freePort();
      sample = await runSample('dist-sample/start-redis.js', {
        PORT: '0',
        HOST: '127.0.0.1',
        BROADCASTING_SERVER_HOST: '127.0.0.1',
        BROADCASTING_SERVER_PORT: String(serverPort),
        BROADCASTING_REDIS_URL: 'redis://127.0.0.1:6379',
        BROADCASTING_REDIS_PREFIX: prefix,
      });
    }, 90_000);
    afterAll(async () => {
      await sample?.stop();
    });

    async function connectToServer(key: string) {
      const url = `ws://127.0.0.1:${serverPort}/app/${key}?protocol=7&client=js&version=8.6.0`;
      // The two processes start side by side; the server may still be binding its port.
      for (let attempt = 0; ; attempt++) {
        try {
          return await openPusherSocket(url);
        } catch (error) {
          if (attempt > 50) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    }

    it('sends a shipped order from the app, through Redis, to a client of the server process', async () => {
      const config = await (await fetch(`${sample.url}/api/config`)).json();
      expect(config.wsPort).toBe(serverPort);

      const login = await fetch(`${sample.url}/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ name: 'Mallory' }),
        redirect: 'manual',
      });
      const cookie = login.headers.get('set-cookie')!.split(';')[0];
      const { orders } = await (
        await fetch(`${sample.url}/api/orders`, { headers: { cookie } })
      ).json();
      const channel = `private-orders.${orders[0].id}`;

      const { socket, established, next } = await connectToServer(config.key);
      try {
        // The app signs; the separate server process accepts the signature (same credentials).
        const auth = await fetch(`${sample.url}/broadcasting/auth`, {
          method: 'POST',
          headers: { cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ socket_id: established.socket_id, channel_name: channel }),
        });
        expect(auth.status).toBe(200);
        socket.send(
          JSON.stringify({ event: 'pusher:subscribe', data: { channel, ...(await auth.json()) } }),
        );
        socket.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel: 'shipments' } }));
        await next(
          (f) => f.event === 'pusher_internal:subscription_succeeded' && f.channel === channel,
        );
        await next(
          (f) => f.event === 'pusher_internal:subscription_succeeded' && f.channel === 'shipments',
        );

        const shipped = await fetch(`${sample.url}/api/orders/${orders[0].id}/ship`, {
          method: 'POST',
          headers: { cookie },
        });
        expect(shipped.status).toBe(200);

        const event = await next((f) => f.event === 'OrderShipped' && f.channel === channel);
        expect(JSON.parse(String(event.data)).order).toMatchObject({
          id: orders[0].id,
          status: 'shipped',
        });
        const counted = await next((f) => f.event === 'ShipmentsCounted');
        expect(JSON.parse(String(counted.data))).toEqual({ count: 1 });
      } finally {
        socket.close();
      }
    });

    it('stops both processes when it is stopped', async () => {
      await sample.stop();
      const refused = async (url: string) =>
        fetch(url).then(
          () => false,
          () => true,
        );
      expect(await refused(sample.url)).toBe(true);
      expect(await refused(`http://127.0.0.1:${serverPort}/up`)).toBe(true);
    });
  });
});
