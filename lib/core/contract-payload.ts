import type { EventContract } from '../contract/event-contract.js';
import type { StandardSchemaV1 } from '../contract/standard-schema.js';
import { isStandardSchema } from '../contract/typed.js';
import { BroadcastDriverError } from '../errors/broadcast.exception.js';
import { BroadcastMessages } from './broadcast-messages.js';

type Payload = Record<string, unknown>;

/** `order.tracking`, `items[2].sku`, or undefined for the payload itself. */
function pathOf(issue: StandardSchemaV1.Issue): string | undefined {
  if (!issue.path?.length) return undefined;
  let path = '';
  for (const segment of issue.path) {
    const key = typeof segment === 'object' ? segment.key : segment;
    path +=
      typeof key === 'number' ? `[${key}]` : `${path ? '.' : ''}${String(key as string | symbol)}`;
  }
  return path;
}

/** Each refused field (its path, when the schema gives one) and why. */
export function issueProblems(
  issues: ReadonlyArray<StandardSchemaV1.Issue>,
): Array<{ path: string | undefined; message: string }> {
  return issues.map((issue) => ({ path: pathOf(issue), message: issue.message }));
}

function checked(event: string, result: StandardSchemaV1.Result<unknown>): Payload {
  if (result.issues) {
    const problems = issueProblems(result.issues);
    throw new BroadcastDriverError(BroadcastMessages.payloadRejectedByContract(event, problems));
  }
  // The schema's output is what is sent: a zod object drops keys it does not declare.
  return result.value as Payload;
}

/**
 * Validates a payload against its event contract's schema, before any driver runs. Returns
 * the payload unchanged when the contract only carries a type (`typed<T>()`), the schema's
 * output otherwise, or a promise of it when the schema validates asynchronously. Throws (or
 * rejects with) a BroadcastDriverError naming each field the schema refused.
 */
export function validateContractPayload(
  contract: EventContract,
  payload: Payload,
): Payload | Promise<Payload> {
  const schema = contract.payload;
  if (!isStandardSchema(schema)) return payload;
  const result = schema['~standard'].validate(payload);
  if (result instanceof Promise) return result.then((settled) => checked(contract.name, settled));
  return checked(contract.name, result);
}

/** True for an event contract (made by `channel.event(...)`). */
export function isEventContract(value: unknown): value is EventContract {
  return (
    typeof value === 'object' && value !== null && (value as EventContract).contract === 'event'
  );
}

/**
 * Validates the payload of an event with a contract, then hands it to `deliver`, or the
 * refusal to `refuse`; synchronously unless the schema is asynchronous.
 */
export function deliverValidated(
  contract: EventContract,
  payload: Payload,
  deliver: (payload: Payload) => Promise<void> | undefined,
  refuse: (error: unknown) => undefined,
): Promise<void> | undefined {
  let checked: Payload | Promise<Payload>;
  try {
    checked = validateContractPayload(contract, payload);
  } catch (error) {
    return refuse(error);
  }
  return checked instanceof Promise ? checked.then(deliver, refuse) : deliver(checked);
}
