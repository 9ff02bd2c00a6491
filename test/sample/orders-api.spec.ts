import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboardPage } from '../../sample/dashboard/build-page.js';
import { startSample, type RunningSample } from '../../sample/bootstrap.js';
import { sampleAppCredentials } from '../../sample/sample-options.js';

/**
 * The sample's HTTP surface without a browser: sign-in, the guard, ownership rules, the
 * channel authorization the page relies on, and the page's scripts served from node_modules.
 */
describe('sample orders app over HTTP', () => {
  let sample: RunningSample;
  const credentials = sampleAppCredentials({});

  beforeAll(async () => {
    // The page script is what `npm run build:sample` bundles; the sample runs from source here.
    await buildDashboardPage();
    sample = await startSample({ mode: 'local', app: credentials }, { port: 0, logger: false });
  });
  afterAll(async () => {
    await sample?.app.close();
  });

  async function signIn(name: string): Promise<string> {
    const response = await fetch(`${sample.url}/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name }),
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    const cookie = response.headers.get('set-cookie');
    expect(cookie).toBeTruthy();
    return cookie!.split(';')[0];
  }

  const get = (path: string, cookie?: string) =>
    fetch(`${sample.url}${path}`, { headers: cookie ? { cookie } : {} });
  const post = (path: string, cookie?: string, body?: Record<string, string>) =>
    fetch(`${sample.url}${path}`, {
      method: 'POST',
      headers: {
        ...(cookie ? { cookie } : {}),
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: body ? new URLSearchParams(body) : undefined,
    });
  const ordersOf = async (cookie: string): Promise<Array<{ id: number; status: string }>> =>
    (await (await get('/api/orders', cookie)).json()).orders;

  it('answers /api/me for a guest with 200 and no user, so the page logs no error', async () => {
    const response = await get('/api/me');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ user: null });
  });

  it('serves a favicon, so browsers do not log a 404 for one', async () => {
    const page = await (await get('/')).text();
    const href = /<link rel="icon"[^>]*href="([^"]+)"/.exec(page)?.[1];
    expect(href).toBe('/assets/favicon.svg');
    const icon = await get(href!);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toContain('image/svg+xml');
  });

  it('refuses the orders API to a guest with a hint to sign in', async () => {
    const response = await get('/api/orders');
    expect(response.status).toBe(401);
    expect((await response.json()).message).toContain('Sign in first');
  });

  it('sends an invalid name back to the form with the reason', async () => {
    const response = await fetch(`${sample.url}/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: '<script>' }),
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    expect(decodeURIComponent(response.headers.get('location') ?? '')).toContain(
      'Names start with a letter',
    );
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('gives a new user two placed orders of their own', async () => {
    const cookie = await signIn('Carol');
    expect((await (await get('/api/me', cookie)).json()).user.id).toBe('carol');
    const orders = await ordersOf(cookie);
    expect(orders.map((o) => o.status)).toEqual(['placed', 'placed']);
    expect(orders[0]).not.toHaveProperty('ownerId');
  });

  it('ships only the owner’s orders, once', async () => {
    const dave = await signIn('Dave');
    const erin = await signIn('Erin');
    const [daveOrder] = await ordersOf(dave);

    expect((await post(`/api/orders/${daveOrder.id}/ship`, erin)).status).toBe(403);
    expect((await post('/api/orders/99999/ship', dave)).status).toBe(404);

    const shipped = await post(`/api/orders/${daveOrder.id}/ship`, dave);
    expect(shipped.status).toBe(200);
    const body = await shipped.json();
    expect(body.status).toBe('shipped');
    expect(body.trackingNumber).toMatch(/^TRK-/);

    const again = await post(`/api/orders/${daveOrder.id}/ship`, dave);
    expect(again.status).toBe(409);
    expect((await again.json()).message).toContain('already shipped');
  });

  describe('channel authorization (POST /broadcasting/auth)', () => {
    const socketId = '1234.5678';
    const auth = (cookie: string | undefined, channel: string) =>
      post('/broadcasting/auth', cookie, { socket_id: socketId, channel_name: channel });

    it('refuses a guest before any channel rule runs', async () => {
      expect((await auth(undefined, 'presence-dashboard')).status).toBe(401);
    });

    it('signs an order channel for its owner only', async () => {
      const frank = await signIn('Frank');
      const grace = await signIn('Grace');
      const [frankOrder] = await ordersOf(frank);

      const granted = await auth(frank, `private-orders.${frankOrder.id}`);
      expect(granted.status).toBe(200);
      expect((await granted.json()).auth).toMatch(new RegExp(`^${credentials.key}:[0-9a-f]{64}$`));

      expect((await auth(grace, `private-orders.${frankOrder.id}`)).status).toBe(403);
      expect((await auth(grace, 'private-orders.not-a-number')).status).toBe(403);
    });

    it('signs a user’s own order feed and nobody else’s', async () => {
      const heidi = await signIn('Heidi');
      expect((await auth(heidi, 'private-users.heidi')).status).toBe(200);
      expect((await auth(heidi, 'private-users.ivan')).status).toBe(403);
    });

    it('lets every signed-in user join the dashboard presence channel under their name', async () => {
      const judy = await signIn('Judy');
      const response = await auth(judy, 'presence-dashboard');
      expect(response.status).toBe(200);
      const channelData = JSON.parse((await response.json()).channel_data);
      expect(channelData).toEqual({ user_id: 'judy', user_info: { id: 'judy', name: 'Judy' } });
    });
  });

  describe('the page and its scripts', () => {
    it('serves the dashboard page', async () => {
      const response = await get('/');
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(await response.text()).toContain('<script type="module" src="/assets/dashboard.js">');
    });

    it('serves the page script the sample build bundled from TypeScript, Echo and pusher-js inside', async () => {
      const script = await get('/assets/dashboard.js');
      expect(script.headers.get('content-type')).toContain('javascript');
      const code = await script.text();
      // The contracts' names, pusher-js's protocol and no import left for the browser to fetch.
      expect(code).toContain('orders.{orderId}');
      expect(code).toContain('pusher:subscribe');
      expect(code).not.toMatch(/\bimport\s*[{*\w]|from\s*["']/);
      expect((await get('/assets/pusher.min.js')).status).toBe(404);
    });

    it('serves nothing but its listed assets', async () => {
      expect((await get('/assets/..%2F..%2Fpackage.json')).status).toBe(404);
      expect((await get('/assets/orders.service.ts')).status).toBe(404);
    });

    it('tells the page which app key to connect with', async () => {
      expect(await (await get('/api/config')).json()).toEqual({
        key: credentials.key,
        wsHost: null,
        wsPort: null,
      });
    });
  });
});
