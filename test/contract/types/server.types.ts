// Type-level specification of the server side: compiled by test/contract/contract-types.spec.ts
// (and by `npm run lint`). Every `@ts-expect-error` must meet an error on its next line.
import { Broadcast, BroadcastManager, Broadcastable, ChannelAuth } from 'nestjs-broadcasting';
import type {
  AuthParamsOf,
  ChannelNameOf,
  MemberOf,
  ParamsOf,
  PayloadInput,
  PayloadOf,
} from 'nestjs-broadcasting/contract';
import { BroadcasterFake } from 'nestjs-broadcasting/testing';
import { expectTypeOf } from 'vitest';
import * as Shop from '../fixtures/shop.contracts.js';
import {
  OrderChannel,
  OrderNoted,
  OrderShipped,
  Room,
  Shipments,
} from '../fixtures/shop.contracts.js';

// What the contract says, read back as types.
expectTypeOf<ParamsOf<typeof OrderShipped>>().toEqualTypeOf<{ orderId: string | number }>();
expectTypeOf<ParamsOf<typeof Shipments>>().toEqualTypeOf<{}>();
expectTypeOf<AuthParamsOf<typeof OrderChannel>>().toEqualTypeOf<{ orderId: string }>();
expectTypeOf<PayloadOf<typeof OrderShipped>>().toEqualTypeOf<{
  orderId: number;
  tracking: string;
}>();
expectTypeOf<PayloadInput<typeof OrderNoted>>().toEqualTypeOf<{ note: string }>();
expectTypeOf<MemberOf<typeof Room>>().toEqualTypeOf<Shop.RoomMember>();
expectTypeOf<ChannelNameOf<typeof OrderShipped>>().toEqualTypeOf<`private-orders.${string}`>();
expectTypeOf(Room.name({ roomId: 1 })).toEqualTypeOf<`presence-rooms.${string}`>();
expectTypeOf(OrderShipped.name).toEqualTypeOf<'order.shipped'>();

// @ts-expect-error a missing channel parameter
OrderChannel.name({});
// @ts-expect-error a misspelt channel parameter
OrderChannel.name({ orderID: 1 });

@Broadcastable(OrderShipped)
export class Shipped {
  constructor(readonly orderId: number) {}
  broadcastOn() {
    return OrderChannel.name({ orderId: this.orderId });
  }
  broadcastWith() {
    return { orderId: this.orderId, tracking: 'TRK' };
  }
}

// @ts-expect-error a wrong payload: orderId is a number in the contract
@Broadcastable(OrderShipped)
export class WrongPayload {
  broadcastOn() {
    return OrderChannel.name({ orderId: 1 });
  }
  broadcastWith() {
    return { orderId: '1', tracking: 'TRK' };
  }
}

// @ts-expect-error a payload missing a field
@Broadcastable(OrderShipped)
export class MissingField {
  broadcastOn() {
    return OrderChannel.name({ orderId: 1 });
  }
  broadcastWith() {
    return { orderId: 1 };
  }
}

// @ts-expect-error the channel of another contract
@Broadcastable(OrderShipped)
export class WrongChannel {
  broadcastOn() {
    return Shipments.name();
  }
  broadcastWith() {
    return { orderId: 1, tracking: 'TRK' };
  }
}

// @ts-expect-error a channel name spelt by hand as a plain string
@Broadcastable(OrderShipped)
export class HandSpeltChannel {
  broadcastOn() {
    return 'private-order.' + String(1);
  }
  broadcastWith() {
    return { orderId: 1, tracking: 'TRK' };
  }
}

// @ts-expect-error an event name other than the contract's
@Broadcastable(OrderShipped)
export class RenamedEvent {
  broadcastOn() {
    return OrderChannel.name({ orderId: 1 });
  }
  broadcastAs() {
    return 'order.shiped';
  }
  broadcastWith() {
    return { orderId: 1, tracking: 'TRK' };
  }
}

declare const manager: BroadcastManager;
void manager.send(OrderShipped, { orderId: 1 }, { orderId: 1, tracking: 'TRK' });
void Broadcast.send(OrderShipped, { orderId: '1' }, { orderId: 1, tracking: 'TRK' });
void manager.toOthers().send(OrderNoted, { orderId: 1 }, { note: 'n' });
// @ts-expect-error a missing channel parameter
void manager.send(OrderShipped, {}, { orderId: 1, tracking: 'TRK' });
// @ts-expect-error a wrong payload
void Broadcast.send(OrderShipped, { orderId: 1 }, { orderId: 1, tracking: 2 });
// @ts-expect-error a misspelt event
void manager.send(Shop.OrderShiped, { orderId: 1 }, { orderId: 1, tracking: 'TRK' });

export class ShopChannelsTyped {
  @ChannelAuth(OrderChannel)
  order(_user: unknown, { orderId }: AuthParamsOf<typeof OrderChannel>) {
    expectTypeOf(orderId).toEqualTypeOf<string>();
    return true;
  }

  @ChannelAuth(Room)
  room(_user: { id: number; name: string }, _params: AuthParamsOf<typeof Room>) {
    return { id: 1, name: 'Ann' };
  }

  // @ts-expect-error a misspelt parameter
  @ChannelAuth(OrderChannel)
  misspelt(_user: unknown, { orderID }: { orderID: string }) {
    return orderID === '1';
  }

  // @ts-expect-error a presence member of the wrong shape
  @ChannelAuth(Room)
  wrongMember(_user: unknown, _params: AuthParamsOf<typeof Room>) {
    return { id: 'one' };
  }

  // @ts-expect-error a public channel needs no authorization
  @ChannelAuth(Shipments)
  publicChannel() {
    return true;
  }
}

// The fake's assertions take contracts, with the payload typed in the predicate.
declare const fake: BroadcasterFake;
fake.assertBroadcasted(OrderShipped, ({ payload }) => payload.tracking.startsWith('TRK'));
// @ts-expect-error a field the payload does not have
fake.assertBroadcasted(OrderShipped, ({ payload }) => payload.trackingNumber === 'x');

// The payload as a plain type parameter: checked the same way, the name typed `string`.
const OrderRefunded = OrderChannel.event<{ amount: number }>('order.refunded');
expectTypeOf<PayloadOf<typeof OrderRefunded>>().toEqualTypeOf<{ amount: number }>();
expectTypeOf(OrderRefunded.name).toEqualTypeOf<string>();
void manager.send(OrderRefunded, { orderId: 1 }, { amount: 5 });
// @ts-expect-error a wrong payload for a type-parameter contract
void manager.send(OrderRefunded, { orderId: 1 }, { amount: '5' });
