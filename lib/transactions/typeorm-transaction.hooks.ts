import { AsyncLocalStorage } from 'node:async_hooks';
import type { BroadcastTransactionHooks } from './transaction-hooks.interface.js';

/** The parts of TypeORM's QueryRunner the hooks read (structural: typeorm is not imported). */
interface QueryRunnerLike {
  isTransactionActive: boolean;
  /** 1 in a transaction, 2 in a nested one (a savepoint), 0 once the outermost has ended. */
  transactionDepth?: number;
}

/** The parts of an EntityManager the hooks wrap. */
interface EntityManagerLike {
  queryRunner?: QueryRunnerLike;
  transaction(...args: unknown[]): Promise<unknown>;
}

/** The parts of a DataSource the hooks need. */
export interface TypeOrmDataSourceLike {
  manager: EntityManagerLike;
  subscribers: unknown[];
}

type TransactionEvent = { queryRunner: QueryRunnerLike };
type Held = { depth: number; task: () => void };

const WRAPPED = Symbol.for('nestjs-broadcasting:typeorm-transaction');

/**
 * {@link BroadcastTransactionHooks} for TypeORM: `new TypeOrmTransactionHooks(dataSource)`.
 *
 * "In a transaction": every `transaction()` of the data source's manager (and of the
 * transactional managers it hands out, for nested transactions) runs its callback in an
 * AsyncLocalStorage scope that holds the transaction's QueryRunner, so code the callback
 * calls (a service emitting an event) is known to be inside it without being passed the
 * manager. "Committed" and "rolled back": an entity subscriber's `afterTransactionCommit` and
 * `afterTransactionRollback`, which TypeORM also fires for savepoints, so a nested commit
 * hands its broadcasts to the parent, a nested rollback drops them, and only the outermost
 * commit sends. A transaction begun by hand (`queryRunner.startTransaction()`) is not seen:
 * broadcasts made in it go at once.
 */
export class TypeOrmTransactionHooks implements BroadcastTransactionHooks {
  private readonly scope = new AsyncLocalStorage<QueryRunnerLike>();
  private readonly held = new WeakMap<QueryRunnerLike, Held[]>();

  constructor(dataSource: TypeOrmDataSourceLike) {
    dataSource.subscribers.push({
      afterTransactionCommit: (event: TransactionEvent) => this.committed(event.queryRunner),
      afterTransactionRollback: (event: TransactionEvent) => this.rolledBack(event.queryRunner),
    });
    this.wrap(dataSource.manager);
  }

  runAfterCommit(task: () => void): boolean {
    const runner = this.scope.getStore();
    if (!runner?.isTransactionActive) return false;
    let held = this.held.get(runner);
    if (!held) this.held.set(runner, (held = []));
    held.push({ depth: runner.transactionDepth ?? 1, task });
    return true;
  }

  private committed(runner: QueryRunnerLike): void {
    const held = this.held.get(runner);
    if (!held) return;
    const depth = runner.transactionDepth ?? 0;
    if (depth > 0) {
      // A savepoint released: its broadcasts now belong to the enclosing transaction.
      for (const entry of held) if (entry.depth > depth) entry.depth = depth;
      return;
    }
    this.held.delete(runner);
    for (const { task } of held) task();
  }

  private rolledBack(runner: QueryRunnerLike): void {
    const held = this.held.get(runner);
    if (!held) return;
    const depth = runner.transactionDepth ?? 0;
    const kept = held.filter((entry) => entry.depth <= depth);
    if (depth === 0 || kept.length === 0) this.held.delete(runner);
    else this.held.set(runner, kept);
  }

  /** Makes `manager.transaction(cb)` run `cb` inside the scope of its QueryRunner. */
  private wrap(manager: EntityManagerLike): void {
    const target = manager as EntityManagerLike & { [WRAPPED]?: TypeOrmTransactionHooks };
    if (target[WRAPPED] === this) return;
    const original = manager.transaction;
    const hooks = this;
    target.transaction = function (this: EntityManagerLike, ...args: unknown[]) {
      // transaction(cb) or transaction(isolationLevel, cb)
      const at = typeof args[0] === 'function' ? 0 : 1;
      const run = args[at];
      if (typeof run === 'function') {
        args[at] = (transactional: EntityManagerLike) => {
          hooks.wrap(transactional);
          const runner = transactional.queryRunner;
          return runner
            ? hooks.scope.run(runner, () => (run as (m: unknown) => unknown)(transactional))
            : (run as (m: unknown) => unknown)(transactional);
        };
      }
      return original.apply(this, args);
    };
    target[WRAPPED] = this;
  }
}
