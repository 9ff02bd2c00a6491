import { Controller, Get, Header, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { build, type Metafile } from 'esbuild';
import { BroadcastManager, BroadcastModule } from 'nestjs-broadcasting';
import { startBroadcastServer, type BroadcastServerHandle } from 'nestjs-broadcasting/server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../sample/sample-browser.js';
import { repoRoot } from '../support/consumer-project.js';
import { ShopChannels, type ShopUser } from './fixtures/shop-channels.js';
import { OrderShipped, ShipmentsCounted } from './fixtures/shop.contracts.js';

const APP = { id: 'browser', key: 'browser-key', secret: 'browser-secret' };
const USERS: Record<string, ShopUser> = {
  ann: { id: 1, name: 'Ann' },
  bob: { id: 2, name: 'Bob' },
};
const DEADLINE = 30_000;

/** The package's browser entries resolve to the build, as a user's bundler resolves them. */
const ENTRIES = {
  'nestjs-broadcasting/contract': `${repoRoot}/dist/contract/index.js`,
  'nestjs-broadcasting/client': `${repoRoot}/dist/client/index.js`,
  'nestjs-broadcasting/react': `${repoRoot}/dist/react/index.js`,
};

async function bundle(entry: { path: string } | { contents: string }) {
  const result = await build({
    ...('path' in entry
      ? { entryPoints: [entry.path] }
      : { stdin: { contents: entry.contents, resolveDir: repoRoot, loader: 'ts' } }),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    metafile: true,
    alias: ENTRIES,
    logLevel: 'silent',
  });
  return { code: result.outputFiles[0].text, metafile: result.metafile as Metafile };
}

describe('the client entries in a browser (Chromium)', () => {
  let server: BroadcastServerHandle;
  let app: INestApplication;
  let url: string;
  let browser: Browser;
  let pageScript: string;

  beforeAll(async () => {
    pageScript = (await bundle({ path: `${repoRoot}/test/contract/fixtures/browser-page.ts` }))
      .code;
    server = await startBroadcastServer({ apps: [APP], host: '127.0.0.1', port: 0, logger: false });

    @Controller()
    class PageController {
      @Get()
      @Header('Content-Type', 'text/html; charset=utf-8')
      page() {
        return '<!doctype html><html><body><div id="root"></div><script type="module" src="/page.js"></script></body></html>';
      }

      @Get('page.js')
      @Header('Content-Type', 'text/javascript; charset=utf-8')
      script() {
        return pageScript;
      }
    }

    @Module({
      imports: [
        BroadcastModule.forRoot({
          default: 'local',
          app: APP,
          auth: { resolveUser: (req) => USERS[String(req.headers['x-user'])] },
        }),
      ],
      providers: [ShopChannels],
      controllers: [PageController],
    })
    class BrowserModule {}
    app = await NestFactory.create(BrowserModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await server?.close();
  });

  async function openPage(user: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction(() => typeof window.startPage === 'function', null, {
      timeout: DEADLINE,
    });
    await page.evaluate((config) => window.startPage(config), {
      key: APP.key,
      wsPort: server.port,
      user,
    });
    return page;
  }

  it('bundles /contract and /client for the browser with no Node built-in and nothing of Nest', async () => {
    const { code, metafile } = await bundle({
      contents:
        "export * from 'nestjs-broadcasting/contract'; export * from 'nestjs-broadcasting/client';",
    });
    const inputs = Object.keys(metafile.inputs).filter((input) => input !== '<stdin>');
    expect(inputs.filter((input) => /^node:|@nestjs|node_modules/.test(input))).toEqual([]);
    expect(inputs.filter((input) => !input.startsWith('dist/'))).toEqual([]);
    expect(inputs).toContain('dist/client/listen.js');
    // Tiny: the helpers, the contract builder and the pattern grammar, minified.
    expect(code.length).toBeLessThan(12_000);
  });

  it('listen() in the page receives a typed event sent with send(contract)', async () => {
    const page = await openPage('ann');
    await page.waitForFunction(
      () => (window.echo.connector as any).pusher.channel('private-orders.7')?.subscribed === true,
      null,
      { timeout: DEADLINE },
    );
    await app
      .get(BroadcastManager)
      .send(OrderShipped, { orderId: 7 }, { orderId: 7, tracking: 'TRK-B' });
    await page.waitForFunction(() => window.received.length === 1, null, { timeout: DEADLINE });
    expect(await page.evaluate(() => window.received)).toEqual([{ orderId: 7, tracking: 'TRK-B' }]);
  });

  it('the React hooks render events, presence members and whispers', async () => {
    const ann = await openPage('ann');
    await ann.waitForFunction(() => document.querySelectorAll('#members li').length === 1, null, {
      timeout: DEADLINE,
    });
    const bob = await openPage('bob');
    await ann.waitForFunction(() => document.querySelectorAll('#members li').length === 2, null, {
      timeout: DEADLINE,
    });
    expect(await ann.$$eval('#members li', (items) => items.map((li) => li.textContent))).toEqual([
      'Ann',
      'Bob',
    ]);

    await ann.waitForFunction(
      () => (window.echo.connector as any).pusher.channel('shipments')?.subscribed === true,
      null,
      { timeout: DEADLINE },
    );
    await app.get(BroadcastManager).send(ShipmentsCounted, {}, { count: 42 });
    await ann.waitForFunction(() => document.querySelector('#count')?.textContent === '42', null, {
      timeout: DEADLINE,
    });

    // Whispers between the two pages, through useWhisper() and useWhisperListener().
    await bob.waitForFunction(() => document.querySelectorAll('#members li').length === 2, null, {
      timeout: DEADLINE,
    });
    await bob.evaluate(() => window.sendTyping!('Bob'));
    await ann.waitForFunction(
      () => document.querySelector('#typing')?.textContent === 'Bob',
      null,
      {
        timeout: DEADLINE,
      },
    );
    expect(await bob.textContent('#typing')).toBe('nobody'); // not echoed to the sender

    await bob.close();
    await ann.waitForFunction(() => document.querySelectorAll('#members li').length === 1, null, {
      timeout: DEADLINE,
    });
  });
});
