import { randomInt } from 'node:crypto';

const MAX_RANDOM_PART = 2 ** 47;

/** Shared by every engine in the process; starts at a random point, not at 1. */
let sequence = randomInt(1, 2 ** 32);

/**
 * A Pusher socket id, `random.sequence`: the sequence half keeps ids unique in this process
 * without a set of every live id; the random half keeps them apart across the nodes of a
 * cluster (and makes them unguessable).
 */
export function newSocketId(): string {
  sequence = sequence >= Number.MAX_SAFE_INTEGER ? 1 : sequence + 1;
  return `${randomInt(1, MAX_RANDOM_PART)}.${sequence}`;
}
