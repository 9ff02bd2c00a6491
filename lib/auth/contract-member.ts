import { isStandardSchema } from '../contract/typed.js';
import { issueProblems } from '../core/contract-payload.js';
import { AuthMessages } from './auth-messages.js';
import type { ChannelAuthCallback, ChannelAuthResult } from './channel-auth.interface.js';

/**
 * Wraps the callback of `@ChannelAuth(presenceChannel)` whose contract has a member schema:
 * an object it returns is validated, and the schema's output becomes the `user_info` other
 * members see (a zod object drops undeclared keys, so nothing private leaks). A refused member
 * throws, which the authorizer turns into a 403 `callback_error` and logs with this message.
 * Without a schema the callback is returned as is.
 */
export function withMemberSchema(
  callback: ChannelAuthCallback,
  member: unknown,
  source: string,
): ChannelAuthCallback {
  if (!isStandardSchema(member)) return callback;
  const validate = member['~standard'].validate;
  return async (user, params): Promise<ChannelAuthResult> => {
    const result = await callback(user, params);
    if (typeof result !== 'object' || result === null) return result;
    const checked = await validate(result);
    if (checked.issues)
      throw new Error(AuthMessages.memberRejectedByContract(source, issueProblems(checked.issues)));
    return checked.value as ChannelAuthResult;
  };
}
