import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import {
  BroadcastManager,
  BroadcastModule,
  Broadcastable,
  TypeOrmTransactionHooks,
  type Broadcaster,
  type ShouldBroadcast,
} from 'nestjs-broadcasting';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { settle, waitFor } from '../fixtures/core/wait-for.js';
import { REDIS_URL, dropKeys, jobCounts, unique } from './queue-fixtures.js';

const table = unique('orders').replace(/-/g, '_');
const pg = {
  type: 'postgres',
  host: '127.0.0.1',
  port: 5432,
  username: 'postgres',
  database: 'test',
} as const;

@Broadcastable({ as: 'order.created', afterCommit: true })
class OrderCreated implements ShouldBroadcast {
  constructor(readonly orderId: number) {}
  broadcastOn() {
    return `orders.${this.orderId}`;
  }
}

@Broadcastable({ as: 'order.touched' })
class OrderTouched implements ShouldBroadcast {
  constructor(readonly orderId: number) {}
  broadcastOn() {
    return `orders.${this.orderId}`;
  }
}

let dataSource: DataSource;
/** A second connection: what a browser's follow-up request would read. */
let reader: DataSource;
/** Each broadcast, with whether its row was visible to another connection at that moment. */
const sent: Array<{ event: string; orderId: unknown; rowVisible: boolean }> = [];
const recorder: Broadcaster = {
  async broadcast(_channels, event, payload) {
    const rows = await reader.query(`SELECT id FROM ${table} WHERE id = $1`, [payload.orderId]);
    sent.push({ event, orderId: payload.orderId, rowVisible: rows.length === 1 });
  },
};
let manager: BroadcastManager;
let close: () => Promise<void>;

beforeAll(async () => {
  dataSource = await new DataSource(pg).initialize();
  reader = await new DataSource(pg).initialize();
  await dataSource.query(`CREATE TABLE ${table} (id integer PRIMARY KEY)`);
  const moduleRef = await Test.createTestingModule({
    imports: [
      BroadcastModule.forRoot({
        default: 'record',
        drivers: { record: () => recorder },
        transactions: new TypeOrmTransactionHooks(dataSource),
      }),
    ],
  }).compile();
  await moduleRef.init();
  manager = moduleRef.get(BroadcastManager);
  close = () => moduleRef.close();
});
afterAll(async () => {
  await close();
  await dataSource.query(`DROP TABLE IF EXISTS ${table}`);
  await dataSource.destroy();
  await reader.destroy();
});
beforeEach(() => {
  sent.length = 0;
});

/** Inserts a row; an event dispatched by code the transaction calls, as a service would. */
async function createOrder(id: number, em: { query: DataSource['query'] }) {
  await em.query(`INSERT INTO ${table} (id) VALUES ($1)`, [id]);
  await manager.event(new OrderCreated(id));
}

describe('after-commit broadcasts with TypeORM on PostgreSQL', () => {
  it('holds the broadcast until the transaction commits: the row is there when it goes out', async () => {
    await dataSource.transaction(async (em) => {
      await createOrder(1, em);
      await settle(100);
      expect(sent).toEqual([]);
    });
    await waitFor(() => sent.length === 1, 'the broadcast after commit', 30_000);
    expect(sent).toEqual([{ event: 'order.created', orderId: 1, rowVisible: true }]);
  });

  it('sends nothing when the transaction rolls back', async () => {
    await expect(
      dataSource.manager.transaction(async (em) => {
        await createOrder(2, em);
        throw new Error('payment declined');
      }),
    ).rejects.toThrow('payment declined');
    await settle(300);
    expect(sent).toEqual([]);
  });

  it('outside a transaction, and for an event that is not afterCommit, sends at once', async () => {
    await dataSource.query(`INSERT INTO ${table} (id) VALUES (3)`);
    await manager.event(new OrderCreated(3));
    expect(sent).toEqual([{ event: 'order.created', orderId: 3, rowVisible: true }]);
    await dataSource.transaction(async (em) => {
      await em.query(`INSERT INTO ${table} (id) VALUES (4)`);
      await manager.event(new OrderTouched(4));
      expect(sent[1]).toEqual({ event: 'order.touched', orderId: 4, rowVisible: false });
    });
  });

  it('nested transactions: a savepoint commit waits for the outer commit, a savepoint rollback drops its own', async () => {
    await dataSource.transaction(async (outer) => {
      await createOrder(5, outer);
      await outer.transaction(async (inner) => {
        await createOrder(6, inner);
      });
      await outer
        .transaction(async (inner) => {
          await createOrder(7, inner);
          throw new Error('inner fails');
        })
        .catch(() => undefined);
      await settle(100);
      expect(sent).toEqual([]);
    });
    await waitFor(() => sent.length === 2, 'two broadcasts after the outer commit', 30_000);
    await settle(200);
    expect(sent).toEqual([
      { event: 'order.created', orderId: 5, rowVisible: true },
      { event: 'order.created', orderId: 6, rowVisible: true },
    ]);
  });

  it('a nested commit inside an outer rollback sends nothing', async () => {
    await dataSource
      .transaction(async (outer) => {
        await outer.transaction(async (inner) => createOrder(8, inner));
        throw new Error('outer fails');
      })
      .catch(() => undefined);
    await settle(300);
    expect(sent).toEqual([]);
  });
});

describe('after-commit with a queue and the module-wide default', () => {
  it('queues an event emitted through EventEmitter2 inside a transaction only once it commits', async () => {
    const redis = new Redis(REDIS_URL);
    const prefix = unique('bull-test');
    const moduleRef = await Test.createTestingModule({
      imports: [
        EventEmitterModule.forRoot(),
        BroadcastModule.forRoot({
          afterCommit: true,
          queue: { url: REDIS_URL, prefix, default: true },
          transactions: new TypeOrmTransactionHooks(dataSource),
        }),
      ],
    }).compile();
    await moduleRef.init();
    const emitter = moduleRef.get(EventEmitter2);
    await dataSource.transaction(async (em) => {
      await em.query(`INSERT INTO ${table} (id) VALUES (20)`);
      await emitter.emitAsync('order.touched', new OrderTouched(20));
      await settle(100);
      expect(await jobCounts(redis, prefix, 'broadcasts')).toMatchObject({ wait: 0 });
    });
    let counts = await jobCounts(redis, prefix, 'broadcasts');
    const deadline = Date.now() + 30_000;
    while (counts.wait === 0 && Date.now() < deadline) {
      await settle(20);
      counts = await jobCounts(redis, prefix, 'broadcasts');
    }
    expect(counts).toMatchObject({ wait: 1 });
    await moduleRef.close();
    await dropKeys(redis, `${prefix}:*`);
    await redis.quit();
  });
});
