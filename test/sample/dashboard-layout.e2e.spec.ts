import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboardPage } from '../../sample/dashboard/build-page.js';
import { startSample, type RunningSample } from '../../sample/bootstrap.js';
import { sampleAppCredentials } from '../../sample/sample-options.js';
import { launchChromium } from './sample-browser.js';

/** An element that sticks out of the card (or, outside cards, the page) that holds it. */
interface Overflow {
  element: string;
  container: string;
  by: number;
}

/**
 * Every visible element inside a `.card` lies within the card's box, and every other visible
 * element within the viewport's width; the page itself never scrolls sideways.
 */
async function layoutProblems(page: Page): Promise<{ overflows: Overflow[]; scrollX: number }> {
  return page.evaluate(() => {
    const describe = (el: Element) =>
      el.tagName.toLowerCase() +
      (el.id ? `#${el.id}` : '') +
      (el.classList.length ? `.${[...el.classList].join('.')}` : '');
    const overflows: Array<{ element: string; container: string; by: number }> = [];
    const viewport = { left: 0, right: document.documentElement.clientWidth };
    for (const el of document.querySelectorAll('body *')) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue; // hidden or empty
      const card = el.closest('.card');
      const bounds = card && card !== el ? card.getBoundingClientRect() : viewport;
      const by = Math.max(bounds.left - box.left, box.right - bounds.right);
      if (by > 0.5)
        overflows.push({
          element: describe(el),
          container: card && card !== el ? describe(card) : 'viewport',
          by: Math.round(by),
        });
    }
    return {
      overflows,
      scrollX: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    };
  });
}

/**
 * The sample dashboard at phone and desktop widths, on a normal visit (the sign-in page,
 * signing in, shipping an order): nothing outside its card, no sideways scrolling, and
 * nothing in the browser console.
 */
describe('sample dashboard layout and console', () => {
  let sample: RunningSample;
  let browser: Browser;

  beforeAll(async () => {
    // The page script is what `npm run build:sample` bundles; the sample runs from source here.
    await buildDashboardPage();
    sample = await startSample(
      { mode: 'local', app: sampleAppCredentials({}) },
      { port: 0, logger: false },
    );
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await sample?.app.close();
  });

  it.each([360, 400, 1280])('at %i px wide', async (width) => {
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    const page = await context.newPage();
    const console: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning')
        console.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => console.push(`pageerror: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) console.push(`${response.status()} ${response.url()}`);
    });
    try {
      await page.goto(sample.url);
      await page.waitForSelector('#login-view:not([hidden])');
      expect(await layoutProblems(page), 'sign-in page').toEqual({ overflows: [], scrollX: 0 });

      await page.fill('#login-name', `Layout${width}`);
      await Promise.all([
        page.waitForURL(`${sample.url}/`),
        page.click('#login button[type=submit]'),
      ]);
      await page.waitForSelector('#connection[data-state="connected"]', { timeout: 5000 });
      await page.waitForSelector('#presence li', { timeout: 3000 });
      expect(await layoutProblems(page), 'dashboard').toEqual({ overflows: [], scrollX: 0 });
      const row = '#orders tr:first-child';
      await page.click(`${row} button.ship`, { timeout: 3000 });
      await page.waitForFunction(
        (selector) => document.querySelector(selector)?.textContent === 'shipped',
        `${row} .status`,
        { timeout: 3000 },
      );
      expect(await layoutProblems(page), 'shipped order').toEqual({ overflows: [], scrollX: 0 });
      expect(console).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
