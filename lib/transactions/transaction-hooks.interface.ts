/**
 * What the manager needs to know about database transactions to hold an after-commit
 * broadcast (`@Broadcastable({ afterCommit: true })`, Laravel's `ShouldDispatchAfterCommit`).
 * No hook is common to every Nest ORM, so each ORM gets a small adapter: this package ships
 * {@link TypeOrmTransactionHooks}; docs/queues.md shows one for another ORM.
 *
 * The contract, which is all an adapter has to keep:
 * - `runAfterCommit` is called synchronously from the code that dispatched the event. When
 *   that code runs inside a transaction, the adapter keeps `task` and returns true; outside
 *   any transaction it returns false and the manager sends at once.
 * - A kept task runs once, after the outermost transaction commits (a nested transaction's
 *   commit, a savepoint release, hands it to its parent), and never when the transaction, or
 *   the nested one it was registered in, rolls back.
 * - `task` never throws or rejects (the manager reports its own failures), so the adapter
 *   may call it without guarding.
 */
export interface BroadcastTransactionHooks {
  runAfterCommit(task: () => void): boolean;
}
