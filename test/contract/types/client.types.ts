// Type-level specification of the browser side: compiled by test/contract/contract-types.spec.ts
// (and by `npm run lint`). Every `@ts-expect-error` must meet an error on its next line.
import { useEcho } from '@laravel/echo-react';
import type Echo from 'laravel-echo';
import type PusherJs from 'pusher-js';
import {
  joinPresence,
  listen,
  listenForWhisper,
  whisper,
  type EchoEvents,
} from 'nestjs-broadcasting/client';
import {
  usePresenceMembers,
  useBroadcastEvent,
  useWhisper,
  useWhisperListener,
} from 'nestjs-broadcasting/react';
import { expectTypeOf } from 'vitest';
import * as Shop from '../fixtures/shop.contracts.js';
import {
  OrderChannel,
  OrderShipped,
  Room,
  ShipmentsCounted,
  Typing,
  type RoomMember,
} from '../fixtures/shop.contracts.js';

declare const echo: Echo<'reverb'>;
// pusher-js ships CommonJS typings: under NodeNext its class is the default of the default.
declare const pusher: InstanceType<(typeof PusherJs)['default']>;

// listen(): the channel's params and the event's payload come from the contract.
listen(echo, OrderShipped, { orderId: 1 }, (event) => {
  expectTypeOf(event).toEqualTypeOf<{ orderId: number; tracking: string }>();
});
listen(pusher, ShipmentsCounted, {}, ({ count }) => expectTypeOf(count).toEqualTypeOf<number>());
// @ts-expect-error a field the payload does not have
listen(echo, OrderShipped, { orderId: 1 }, (event) => event.trackingNumber);
// @ts-expect-error a missing channel parameter
listen(echo, OrderShipped, {}, () => undefined);
// @ts-expect-error a misspelt event
listen(echo, Shop.OrderShiped, { orderId: 1 }, () => undefined);
// @ts-expect-error not an Echo or pusher-js instance
listen({}, OrderShipped, { orderId: 1 }, () => undefined);

// Presence members are the channel's member type.
joinPresence(
  echo,
  Room,
  { roomId: 'lobby' },
  {
    here: (members) => expectTypeOf(members).toEqualTypeOf<RoomMember[]>(),
    joining: (member) => expectTypeOf(member.name).toEqualTypeOf<string>(),
  },
);
// @ts-expect-error presence helpers on a private channel
joinPresence(echo, OrderChannel, { orderId: 1 }, {});

// Whispers are typed both ways.
whisper(echo, Typing, { roomId: 'lobby' }, { name: 'Ann' });
listenForWhisper(pusher, Typing, { roomId: 'lobby' }, (event) =>
  expectTypeOf(event).toEqualTypeOf<{ name: string }>(),
);
// @ts-expect-error a wrong whisper payload
whisper(echo, Typing, { roomId: 'lobby' }, { nam: 'Ann' });

// The React hooks carry the same types.
export function Hooks({ orderId }: { orderId: number }) {
  useBroadcastEvent(OrderShipped, { orderId }, (event) =>
    expectTypeOf(event.tracking).toEqualTypeOf<string>(),
  );
  const members = usePresenceMembers(Room, { roomId: 'lobby' });
  expectTypeOf(members).toEqualTypeOf<RoomMember[]>();
  const sendTyping = useWhisper(Typing, { roomId: 'lobby' });
  sendTyping({ name: 'Ann' });
  useWhisperListener(Typing, { roomId: 'lobby' }, (event) => event.name);
  // @ts-expect-error a wrong payload field in a hook
  useBroadcastEvent(OrderShipped, { orderId }, (event) => event.trackingNumber);
  // @ts-expect-error a wrong whisper payload from the hook's function
  sendTyping({ name: 1 });
  return null;
}

// The one line that types @laravel/echo-react's own hooks from the contracts.
declare global {
  interface Events extends EchoEvents<typeof OrderShipped | typeof ShipmentsCounted> {}
}
expectTypeOf<EchoEvents<typeof OrderShipped>>().toEqualTypeOf<{
  '.order.shipped': { orderId: number; tracking: string };
}>();
export function EchoReactUser() {
  useEcho('orders.1', '.order.shipped', (event) =>
    expectTypeOf(event.tracking).toEqualTypeOf<string>(),
  );
  // @ts-expect-error a misspelt event name: Echo's hook no longer knows the payload
  useEcho('orders.1', '.order.shiped', (event) => event.tracking);
  return null;
}
