/**
 * Scenario 4 runs here, in a child of its own: the cost of dispatching an @Broadcastable event
 * with `emitAsync` when BroadcastModule (null driver) hooks the emitter, against the same
 * `emitAsync` in an app without BroadcastModule; and how many broadcasts per second the redis
 * driver publishes. Two Nest application contexts live side by side and are measured in
 * alternating rounds so machine noise hits both alike. Plain .mjs applies the decorators by
 * calling them, as TypeScript would.
 */
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitter2, EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import * as v from 'valibot';
import { z } from 'zod';
import { BroadcastManager, BroadcastModule, Broadcastable, Channel } from '../../dist/index.js';
import { defineChannel, typed } from '../../dist/contract/index.js';
import { serveRequests } from '../harness/ipc-child.mjs';

class OrderShipped {
  constructor(orderId) {
    this.orderId = orderId;
    this.status = 'shipped';
  }
  broadcastOn() {
    return [new Channel(`orders.${this.orderId % 10}`)];
  }
}
Broadcastable({ as: 'order.shipped' })(OrderShipped);

// The same event declared through contracts: a plain type (nothing to validate), then the
// same payload shape as a zod and as a valibot schema, validated before the (null) driver.
const Orders = defineChannel('public', 'orders.{shard}');
const CONTRACTS = {
  typed: Orders.event('order.shipped', typed()),
  zod: Orders.event('order.shipped', z.object({ orderId: z.number(), status: z.string() })),
  valibot: Orders.event('order.shipped', v.object({ orderId: v.number(), status: v.string() })),
};

function contractEventClass(contract) {
  class ContractOrderShipped {
    constructor(orderId) {
      this.orderId = orderId;
      this.status = 'shipped';
    }
    broadcastOn() {
      return Orders.name({ shard: this.orderId % 10 });
    }
    broadcastWith() {
      return { orderId: this.orderId, status: this.status };
    }
  }
  Broadcastable(contract)(ContractOrderShipped);
  return ContractOrderShipped;
}
const CONTRACT_CLASSES = Object.fromEntries(
  Object.entries(CONTRACTS).map(([name, contract]) => [name, contractEventClass(contract)]),
);

let sink = 0;
class ShippingListener {
  handle(event) {
    sink += event.orderId;
  }
}
OnEvent('order.shipped')(
  ShippingListener.prototype,
  'handle',
  Object.getOwnPropertyDescriptor(ShippingListener.prototype, 'handle'),
);
Injectable()(ShippingListener);

function appModule(name, imports) {
  const module = { [name]: class {} }[name];
  Module({ imports: [EventEmitterModule.forRoot(), ...imports], providers: [ShippingListener] })(
    module,
  );
  return module;
}

async function createEmitter(imports, name) {
  const app = await NestFactory.createApplicationContext(appModule(name, imports), {
    logger: false,
  });
  return { app, emitter: app.get(EventEmitter2) };
}

/** ns per emitAsync: `sequential` awaits each one; otherwise batches of `concurrency` at once. */
async function timeDispatch(emitter, count, concurrency, EventClass = OrderShipped) {
  const started = process.hrtime.bigint();
  if (concurrency === 1) {
    for (let i = 0; i < count; i++) await emitter.emitAsync('order.shipped', new EventClass(i));
  } else {
    for (let i = 0; i < count; i += concurrency) {
      const batch = [];
      for (let j = 0; j < concurrency; j++) {
        batch.push(emitter.emitAsync('order.shipped', new EventClass(i + j)));
      }
      await Promise.all(batch);
    }
  }
  return Number(process.hrtime.bigint() - started) / count;
}

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

serveRequests({
  async dispatch({ count, rounds }) {
    const plain = await createEmitter([], 'PlainApp');
    const hooked = await createEmitter(
      [BroadcastModule.forRoot({ default: 'null' })],
      'NullDriverApp',
    );
    try {
      const result = {};
      for (const concurrency of [1, 100]) {
        await timeDispatch(plain.emitter, count / 4, concurrency);
        await timeDispatch(hooked.emitter, count / 4, concurrency);
        const plainNs = [];
        const hookedNs = [];
        for (let round = 0; round < rounds; round++) {
          plainNs.push(await timeDispatch(plain.emitter, count, concurrency));
          hookedNs.push(await timeDispatch(hooked.emitter, count, concurrency));
        }
        result[concurrency === 1 ? 'sequential' : 'concurrent100'] = {
          plainNsPerEmit: median(plainNs),
          nullDriverNsPerEmit: median(hookedNs),
        };
      }
      // Contracts, one at a time: the cost a schema adds before the driver, beside the same
      // event without a contract and with a type-only contract, in alternating rounds.
      const variants = { noContract: OrderShipped, ...CONTRACT_CLASSES };
      const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
      for (const EventClass of Object.values(variants))
        await timeDispatch(hooked.emitter, count / 4, 1, EventClass);
      for (let round = 0; round < rounds; round++) {
        for (const [name, EventClass] of Object.entries(variants))
          samples[name].push(await timeDispatch(hooked.emitter, count, 1, EventClass));
      }
      result.contracts = Object.fromEntries(
        Object.entries(samples).map(([name, values]) => [name, median(values)]),
      );
      return { ...result, sink: sink > 0 };
    } finally {
      await plain.app.close();
      await hooked.app.close();
    }
  },

  /** Broadcasts per second through the redis driver, `window` sends in flight. */
  async redisDriver({ url, prefix, count, window }) {
    const app = await NestFactory.createApplicationContext(
      appModule('RedisDriverApp', [
        BroadcastModule.forRoot({ default: 'redis', redis: { url, prefix } }),
      ]),
      { logger: false },
    );
    try {
      const manager = app.get(BroadcastManager);
      const payload = { t: 123456789, i: 1, order: { id: 4242, status: 'shipped', total: 99.5 } };
      const send = () =>
        manager.send({ channels: ['bench-orders'], event: 'order.shipped', payload });
      await Promise.all(Array.from({ length: 200 }, send));
      const started = process.hrtime.bigint();
      let issued = 0;
      const worker = async () => {
        while (issued < count) {
          issued++;
          await send();
        }
      };
      await Promise.all(Array.from({ length: window }, worker));
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      return { publishes: count, publishesPerSec: count / seconds };
    } finally {
      await app.close();
    }
  },
});
