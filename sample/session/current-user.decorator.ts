import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { SampleUser } from './sample-user.js';

/** The user {@link SessionGuard} put on the request. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): SampleUser =>
    context.switchToHttp().getRequest<{ user: SampleUser }>().user,
);
