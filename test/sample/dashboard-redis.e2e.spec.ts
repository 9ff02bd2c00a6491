import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startBroadcastServer, type BroadcastServerHandle } from 'nestjs-broadcasting/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboardPage } from '../../sample/dashboard/build-page.js';
import { startSample, type RunningSample } from '../../sample/bootstrap.js';
import { sampleAppCredentials } from '../../sample/sample-options.js';
import { launchChromium } from './sample-browser.js';

/**
 * How long the page may take to show what the server sent. Generous on purpose: Chromium
 * shares two busy cores with other suites, and how fast delivery is belongs to bench/
 * (its latency scenario), not to a pass/fail bound here.
 */
const DEADLINE = 10_000;

/**
 * The `npm run start:redis` wiring: the app publishes with the `redis` driver to the shared
 * Redis (under a prefix of its own), a standalone broadcast server on another port
 * consumes Redis and serves the browser, and the app still answers channel authorization.
 */
describe('sample orders dashboard over Redis and a standalone server', { timeout: 60_000 }, () => {
  const prefix = `test-sample-${process.pid}-${randomBytes(4).toString('hex')}:`;
  const app = sampleAppCredentials({});
  let server: BroadcastServerHandle;
  let sample: RunningSample;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    // The page script is what `npm run build:sample` bundles; the sample runs from source here.
    await buildDashboardPage();
    server = await startBroadcastServer({
      host: '127.0.0.1',
      port: 0,
      apps: [app],
      redis: { url: 'redis://127.0.0.1:6379', prefix },
      logger: false,
    });
    sample = await startSample(
      {
        mode: 'redis',
        app,
        websocket: { port: server.port },
        redis: { url: 'redis://127.0.0.1:6379', prefix },
      },
      { port: 0, logger: false },
    );
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1100, height: 640 } });
    page = await context.newPage();
    await page.goto(sample.url);
    await page.fill('#login-name', 'Olivia');
    await Promise.all([
      page.waitForURL(`${sample.url}/`),
      page.click('#login button[type=submit]'),
    ]);
    await page.waitForSelector('#dashboard-view:not([hidden])');
  }, 90_000); // Chromium and the sample start slowly when the two cores are busy.

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close();
    await sample?.app.close();
    await server?.close();
  });

  it('connects the page to the standalone server, not to the app', async () => {
    expect(await (await fetch(`${sample.url}/api/config`)).json()).toMatchObject({
      wsPort: server.port,
    });
    await page.waitForSelector('#connection[data-state="connected"]', { timeout: DEADLINE });
    await page.waitForFunction(
      () => document.querySelector('#presence li')?.textContent === 'Olivia (you)',
      null,
      {
        timeout: DEADLINE,
      },
    );
  });

  it('delivers a shipped order published on Redis to its owner', async () => {
    const orderId = await page.$eval('#orders tr', (row) => (row as HTMLElement).dataset.orderId);
    const status = `#orders tr[data-order-id="${orderId}"] .status`;
    expect(await page.$eval(status, (el) => el.textContent)).toBe('placed');
    await page.click(`#orders tr[data-order-id="${orderId}"] button.ship`);
    await page.waitForFunction(
      (selector) => document.querySelector(selector)?.textContent === 'shipped',
      status,
      {
        timeout: DEADLINE,
      },
    );
    await page.waitForFunction(
      () => document.querySelector('#shipped-count')?.textContent === '1',
      null,
      {
        timeout: DEADLINE,
      },
    );
  });
});
