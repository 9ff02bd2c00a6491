import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { listen, whisper } from 'nestjs-broadcasting/client';
import { BroadcastClientProvider, useBroadcastEvent } from 'nestjs-broadcasting/react';
import { describe, expect, it } from 'vitest';
import { OrderShipped, Typing } from './fixtures/shop.contracts.js';

/** Bad input to the browser entries: each error says what to pass instead. */
describe('the client entries refuse what is not a client', () => {
  it('listen() without an Echo or pusher-js instance names both', () => {
    expect(() => listen({} as never, OrderShipped, { orderId: 1 }, () => undefined)).toThrow(
      'Expected a laravel-echo instance (new Echo({ broadcaster: "reverb", ... })) or a pusher-js instance (new Pusher(key, ...)), got object.',
    );
    expect(() => whisper(null as never, Typing, { roomId: 'x' }, { name: 'Ann' })).toThrow(
      'or a pusher-js instance (new Pusher(key, ...)), got null.',
    );
  });

  it('listen() with a missing channel parameter names it before touching the client', () => {
    expect(() => listen({} as never, OrderShipped, {} as never, () => undefined)).toThrow(
      'Channel "orders.{orderId}" needs the parameter "orderId" (got no parameters).',
    );
  });

  function ShippedBadge() {
    useBroadcastEvent(OrderShipped, { orderId: 1 }, () => undefined);
    return createElement('span', null, 'watching');
  }

  it('a hook outside <BroadcastClientProvider> says where to put one', () => {
    expect(() => renderToString(createElement(ShippedBadge))).toThrow(
      'No broadcast client: wrap your components in <BroadcastClientProvider client={echo}> (echo = new Echo({ broadcaster: "reverb", ... })).',
    );
  });

  it('a hook inside the provider renders (it subscribes in an effect, which a server render skips)', () => {
    const client = { subscribe: () => ({}), unsubscribe: () => undefined } as never;
    const html = renderToString(
      createElement(BroadcastClientProvider, { client }, createElement(ShippedBadge)),
    );
    expect(html).toBe('<span>watching</span>');
  });
});
