import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
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

const repoPath = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/**
 * The sample dashboard in a real browser: two people signed in from two browser contexts
 * (separate cookies, separate WebSocket connections) to one app started in-process with
 * the embedded defaults (local driver, server on the app's own port).
 */
describe('sample orders dashboard in Chromium', { timeout: 60_000 }, () => {
  let sample: RunningSample;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let alice: Page;
  let bob: Page;
  /** Every WebSocket frame each page received, to check what reached the wire, not just the DOM. */
  const received = new Map<Page, string[]>();

  async function signIn(name: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1100, height: 640 } });
    contexts.push(context);
    const page = await context.newPage();
    const frames: string[] = [];
    received.set(page, frames);
    page.on('websocket', (socket) =>
      socket.on('framereceived', ({ payload }) => frames.push(String(payload))),
    );
    await page.goto(sample.url);
    await page.fill('#login-name', name);
    await Promise.all([
      page.waitForURL(`${sample.url}/`),
      page.click('#login button[type=submit]'),
    ]);
    await page.waitForSelector('#dashboard-view:not([hidden])');
    await page.waitForSelector('#connection[data-state="connected"]', { timeout: DEADLINE });
    return page;
  }

  const orderIds = (page: Page) =>
    page.$$eval('#orders tr', (rows) =>
      rows.map((row) => Number((row as HTMLElement).dataset.orderId)),
    );
  const textOf = (page: Page, selector: string) =>
    page.$eval(selector, (el) => el.textContent ?? '');
  const eventLog = (page: Page) =>
    page.$$eval('#events li', (items) => items.map((li) => li.textContent ?? ''));
  const onlineNames = (page: Page) =>
    page.$$eval('#presence li', (items) => items.map((li) => li.textContent ?? '').sort());

  beforeAll(async () => {
    // The page script is what `npm run build:sample` bundles; the sample runs from source here.
    await buildDashboardPage();
    sample = await startSample(
      { mode: 'local', app: sampleAppCredentials({}) },
      { port: 0, logger: false },
    );
    browser = await launchChromium();
    alice = await signIn('Alice');
    bob = await signIn('Bob');
  }, 90_000); // Chromium and the sample start slowly when the two cores are busy.

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await sample?.app.close();
  });

  it('lists only the signed-in user’s own orders, over a connected socket', async () => {
    const [aliceOrders, bobOrders] = [await orderIds(alice), await orderIds(bob)];
    expect(aliceOrders).toHaveLength(2);
    expect(bobOrders).toHaveLength(2);
    expect(aliceOrders.filter((id) => bobOrders.includes(id))).toEqual([]);
    expect(await textOf(alice, '#connection')).toBe('connected');
    expect(await textOf(bob, '#whoami')).toBe('Signed in as Bob');
  });

  it('shows both users in the presence list of both pages', async () => {
    for (const page of [alice, bob]) {
      await page.waitForFunction(
        () => document.querySelectorAll('#presence li').length === 2,
        null,
        {
          timeout: DEADLINE,
        },
      );
    }
    expect(await onlineNames(alice)).toEqual(['Alice (you)', 'Bob']);
    expect(await onlineNames(bob)).toEqual(['Alice', 'Bob (you)']);
  });

  it('updates a shipped order on its owner’s page, and not on anyone else’s', async () => {
    const [orderId] = await orderIds(alice);
    const row = `#orders tr[data-order-id="${orderId}"]`;
    expect(await textOf(alice, `${row} .status`)).toBe('placed');

    await alice.click(`${row} button.ship`);
    // The page changes the status only when OrderShipped arrives on private-orders.{id}.
    await alice.waitForFunction(
      (selector) => document.querySelector(selector)?.textContent === 'shipped',
      `${row} .status`,
      { timeout: DEADLINE },
    );
    // The tracking number comes from the @OnEvent listener, which ran before the broadcast.
    expect(await textOf(alice, `${row} .tracking`)).toMatch(/^TRK-\d{5}-/);
    expect(await eventLog(alice)).toContainEqual(
      expect.stringContaining(`OrderShipped #${orderId} on private-orders.${orderId}`),
    );

    // Barrier: Bob places an order and waits for its OrderCreated broadcast, which the server
    // sends after Alice's OrderShipped; anything of Alice's meant for Bob would be here by now.
    const before = (await orderIds(bob)).length;
    await bob.click('#new-order');
    await bob.waitForFunction(
      (n) => document.querySelectorAll('#orders tr').length === n,
      before + 1,
      {
        timeout: DEADLINE,
      },
    );
    expect(await orderIds(bob)).not.toContain(orderId);
    expect((await eventLog(bob)).filter((line) => line.includes('OrderShipped'))).toEqual([]);
    // Not even on the wire: Bob's socket never carried Alice's private channel.
    expect(received.get(bob)!.some((frame) => frame.includes('"OrderCreated"'))).toBe(true);
    expect(received.get(bob)!.filter((frame) => frame.includes('OrderShipped'))).toEqual([]);
    expect(
      received.get(alice)!.some((frame) => frame.includes(`"private-orders.${orderId}"`)),
    ).toBe(true);
  });

  it('counts shipments on the public channel for every dashboard', async () => {
    for (const page of [alice, bob]) {
      await page.waitForFunction(
        () => document.querySelector('#shipped-count')?.textContent === '1',
        null,
        {
          timeout: DEADLINE,
        },
      );
    }
    expect(await eventLog(bob)).toContainEqual(
      expect.stringContaining('ShipmentsCounted 1 on shipments'),
    );
  });

  it('tells a user plainly that listening to someone else’s order was refused', async () => {
    const [aliceOrder] = await orderIds(alice);
    await bob.fill('#watch-id', String(aliceOrder));
    await bob.click('#watch button[type=submit]');
    await bob.waitForSelector('#watch-result.refused', { timeout: DEADLINE });
    const message = await textOf(bob, '#watch-result');
    expect(message).toContain(`Refused: you may not listen to order #${aliceOrder}`);
    expect(message).toContain('403');

    // The same control on one's own order is not a refusal.
    const [bobOrder] = await orderIds(bob);
    await bob.fill('#watch-id', String(bobOrder));
    await bob.click('#watch button[type=submit]');
    expect(await textOf(bob, '#watch-result')).toContain('is yours');

    // Alice tries Bob's order: the screenshot below shows her refusal.
    await alice.fill('#watch-id', String(bobOrder));
    await alice.click('#watch button[type=submit]');
    await alice.waitForSelector('#watch-result.refused', { timeout: DEADLINE });

    mkdirSync(repoPath('test-results'), { recursive: true });
    const shot = await alice.screenshot({
      path: repoPath('test-results/dashboard.png'),
      fullPage: true,
    });
    expect(shot.length).toBeGreaterThan(10_000);
    // The README's picture: written when missing or on request (UPDATE_DOCS_SCREENSHOT=1), so
    // ordinary runs leave the committed image alone.
    if (
      !existsSync(repoPath('docs/images/dashboard.png')) ||
      process.env.UPDATE_DOCS_SCREENSHOT === '1'
    ) {
      mkdirSync(repoPath('docs/images'), { recursive: true });
      await alice.screenshot({ path: repoPath('docs/images/dashboard.png'), fullPage: true });
    }
  });

  it('drops a user from the presence list when their page closes', async () => {
    await bob.close();
    await alice.waitForFunction(
      () => document.querySelectorAll('#presence li').length === 1,
      null,
      {
        timeout: DEADLINE,
      },
    );
    expect(await onlineNames(alice)).toEqual(['Alice (you)']);
  });
});
