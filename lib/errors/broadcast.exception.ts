/**
 * Base of every error this package throws on purpose. Catch this to handle all of them;
 * catch a subclass to handle one area.
 */
export class BroadcastException extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A driver could not be built or failed to deliver (network, HTTP status, serialization). */
export class BroadcastDriverError extends BroadcastException {
  /** HTTP status of a failed pusher request, when there was one. */
  readonly status?: number;
  /** Response body of a failed pusher request (never contains credentials). */
  readonly body?: string;

  constructor(message: string, details: { status?: number; body?: string; cause?: unknown } = {}) {
    super(message, { cause: details.cause });
    this.status = details.status;
    this.body = details.body;
  }
}

/** A channel name is not one the Pusher protocol accepts. */
export class BroadcastChannelError extends BroadcastException {
  constructor(
    message: string,
    readonly channel: string,
  ) {
    super(message);
  }
}

/**
 * A channel authorization request was refused; `reason` is a stable code. `message` is
 * fit for the client (it names the channel, never the app's classes or methods); `detail`,
 * when set, is what the server log gets instead: which callback refused, and what to do.
 */
export class BroadcastAuthError extends BroadcastException {
  constructor(
    message: string,
    readonly reason: AuthDenialReason,
    readonly status: 400 | 403 = 403,
    readonly detail?: string,
  ) {
    super(message);
  }
}

/** Stable codes for refused channel authorizations (shown outside production). */
export type AuthDenialReason =
  | 'unauthenticated'
  | 'no_matching_pattern'
  | 'callback_denied'
  | 'callback_error'
  | 'invalid_channel'
  | 'invalid_socket_id'
  | 'missing_fields';

/** Where a configuration value came from, for error messages. */
export type ConfigSource = 'option' | 'file' | 'env' | 'default';

/**
 * Configuration that cannot work. Thrown at boot, naming the key, the value (secrets
 * masked) and where the value came from, so the fix is obvious.
 */
export class BroadcastConfigError extends BroadcastException {
  constructor(
    message: string,
    readonly key: string,
    readonly source?: ConfigSource,
  ) {
    super(message);
  }
}
