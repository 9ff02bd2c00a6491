import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import PusherJs from 'pusher-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../sample/sample-process.js';
import { launchChromium } from '../sample/sample-browser.js';
import {
  NEST_ESM_COMPILER_OPTIONS,
  createConsumerProject,
  repoRoot,
  runTsc,
  startNode,
  waitForHttp,
  type ConsumerProject,
  type NodeProcess,
} from '../support/consumer-project.js';
import { quickStartVersions, type ProjectVersion } from './doc-blocks.js';

interface Channel {
  bind(event: string, callback: (data: any) => void): void;
}
interface Client {
  subscribe(name: string): Channel;
  disconnect(): void;
}
// pusher-js ships CommonJS typings that NodeNext does not see as a constructor.
const PusherClient = PusherJs as unknown as new (key: string, options: object) => Client;

/** A built and running copy of one step of the README's Quick start. */
interface RunningStep {
  project: ConsumerProject;
  app: NodeProcess;
  url: string;
  port: number;
}

/** Writes a step's files into a fresh Nest app, compiles it as `nest new` would. */
async function build(name: string, version: ProjectVersion): Promise<ConsumerProject> {
  const project = createConsumerProject(name);
  for (const [path, block] of version) project.write(path, block.code);
  project.write(
    'tsconfig.json',
    JSON.stringify({
      compilerOptions: { ...NEST_ESM_COMPILER_OPTIONS, outDir: 'dist', rootDir: 'src' },
      include: ['src'],
    }),
  );
  const { code, output } = await runTsc(join(project.dir, 'tsconfig.json'));
  if (code !== 0) throw new Error(`The Quick start (${name}) does not compile:\n${output}`);
  return project;
}

async function boot(project: ConsumerProject): Promise<RunningStep> {
  const port = await freePort();
  const app = startNode('dist/main.js', project.dir, { PORT: String(port) });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/orders.html`, app);
  return { project, app, url, port };
}

/** The first of success or error, on one channel. */
function outcome(channel: Channel): Promise<{ event: string; data: any }> {
  return new Promise((resolve) => {
    for (const event of ['pusher:subscription_succeeded', 'pusher:subscription_error'])
      channel.bind(event, (data: unknown) => resolve({ event, data }));
  });
}

function nextEvent(channel: Channel, name: string, ms = 5000): Promise<any> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} within ${ms} ms`)), ms);
    channel.bind(name, (data: unknown) => {
      clearTimeout(timer);
      resolve(data);
    });
  });
}

/** Where the page's CDN script tags point, served from node_modules instead. */
function serveCdnFromNodeModules(url: string): { path: string; major: string } {
  const match = /^https:\/\/cdn\.jsdelivr\.net\/npm\/((?:@[^/]+\/)?[^@/]+)@(\d+)\/(.+)$/.exec(url);
  if (!match) throw new Error(`unexpected CDN URL ${url}`);
  const [, pkg, major, file] = match;
  const installed = JSON.parse(
    readFileSync(join(repoRoot, 'node_modules', pkg, 'package.json'), 'utf8'),
  ) as { version: string };
  expect(installed.version.split('.')[0], `${pkg} major in the README`).toBe(major);
  return { path: join(repoRoot, 'node_modules', pkg, file), major };
}

/**
 * The README's Quick start, verbatim: its files written into a fresh ESM Nest app (the
 * package resolved from node_modules to the built dist/), compiled with tsc, booted with
 * node, and its event received by pusher-js from Node and by the page in Chromium.
 */
describe('the README Quick start, built into a new Nest app', () => {
  const [step1, step2] = quickStartVersions();
  let projects: ConsumerProject[] = [];
  let steps: RunningStep[] = [];
  let browser: Browser;
  const clients: Client[] = [];

  beforeAll(async () => {
    expect(step1.has('src/main.ts') && step1.has('public/orders.html')).toBe(true);
    expect(step2, 'the README has a step 2').toBeDefined();
    // Both steps compile side by side, and Chromium starts meanwhile.
    [projects, browser] = await Promise.all([
      Promise.all([build('quick-start-1', step1), build('quick-start-2', step2)]),
      launchChromium(),
    ]);
    steps = await Promise.all(projects.map(boot));
  }, 120_000);

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await Promise.all(steps.map((step) => step.app.stop()));
    await browser?.close();
    for (const project of projects) project.remove();
  });

  async function receivesOnThePage(step: RunningStep, channel: string): Promise<string> {
    const context = await browser.newContext();
    try {
      await context.route('https://cdn.jsdelivr.net/npm/**', (route) =>
        route.fulfill({
          path: serveCdnFromNodeModules(route.request().url()).path,
          contentType: 'text/javascript; charset=utf-8',
        }),
      );
      const page = await context.newPage();
      await page.goto(`${step.url}/orders.html`);
      // `echo` is the page's own top-level const (public/echo.js): reachable from a script
      // evaluated in the page's global scope, not as a property of window.
      await page.waitForFunction(
        `typeof echo !== 'undefined' && echo.connector.pusher.channel(${JSON.stringify(channel)})?.subscribed === true`,
        null,
        { timeout: 5000 },
      );
      await fetch(`${step.url}/orders/1/ship`, { method: 'POST' });
      await page.waitForFunction(
        () => document.querySelector('#events')?.textContent?.includes('Order 1 shipped'),
        null,
        { timeout: 5000 },
      );
      return (await page.textContent('#events')) ?? '';
    } finally {
      await context.close();
    }
  }

  describe('step 1: a public channel', () => {
    let step: RunningStep;
    beforeAll(() => {
      step = steps[0];
    });

    it('delivers OrderShipped on "orders" to pusher-js from Node', async () => {
      const client = new PusherClient('my-key', {
        cluster: 'mt1',
        wsHost: '127.0.0.1',
        wsPort: step.port,
        forceTLS: false,
        enabledTransports: ['ws'],
      });
      clients.push(client);
      const channel = client.subscribe('orders');
      expect((await outcome(channel)).event).toBe('pusher:subscription_succeeded');
      const received = nextEvent(channel, 'OrderShipped');
      const shipped = await fetch(`${step.url}/orders/1/ship`, { method: 'POST' });
      expect(await shipped.json()).toEqual({ shipped: 1 });
      expect(await received).toEqual({ orderId: 1 });
    });

    it('shows the shipped order on the page, in Chromium', async () => {
      expect(await receivesOnThePage(step, 'orders')).toContain('Order 1 shipped');
    });
  });

  describe('step 2: a private channel with @ChannelAuth', () => {
    let step: RunningStep;
    let client: Client;
    beforeAll(() => {
      step = steps[1];
      client = new PusherClient('my-key', {
        cluster: 'mt1',
        wsHost: '127.0.0.1',
        wsPort: step.port,
        forceTLS: false,
        enabledTransports: ['ws'],
        channelAuthorization: { endpoint: `${step.url}/broadcasting/auth`, transport: 'ajax' },
      });
      clients.push(client);
    });

    it('lets the owner listen on private-orders.1 and delivers the event there', async () => {
      const channel = client.subscribe('private-orders.1');
      expect((await outcome(channel)).event).toBe('pusher:subscription_succeeded');
      const received = nextEvent(channel, 'OrderShipped');
      await fetch(`${step.url}/orders/1/ship`, { method: 'POST' });
      expect(await received).toEqual({ orderId: 1 });
    });

    it('refuses private-orders.2 with 403', async () => {
      const { event, data } = await outcome(client.subscribe('private-orders.2'));
      expect(event).toBe('pusher:subscription_error');
      expect(data.status).toBe(403);
    });

    it('shows the shipped order on the page, in Chromium', async () => {
      expect(await receivesOnThePage(step, 'private-orders.1')).toContain('Order 1 shipped');
    });
  });
});
