/**
 * Every message of the server's hosts (the Nest module, its own HTTP server, the `serve`
 * command), in one place so wording stays consistent and each says what to do next.
 * None may carry an app secret: callers pass addresses, keys, ids and config sources.
 */
import type { ConfigSource } from '../../errors/broadcast.exception.js';

/** Where one listen setting is set: its config key, option name and env variable. */
export interface ListenSetting {
  key: string;
  option: string;
  env: string;
}

export const HostingMessages = {
  // The Nest module.
  notStarted: () => 'The broadcast server has not started yet: it starts in onModuleInit.',
  attachedToApp: () =>
    "Broadcast server attached to the app's HTTP server (/app/{key}, /apps/{id})",
  tlsWhenAttached: () =>
    "The broadcast server shares the Nest app's HTTP server here, so its tls option cannot " +
    'apply: give NestFactory.create() httpsOptions for the app, or give BroadcastServerModule a ' +
    'port of its own.',

  // startBroadcastServer, the module's own port and the bin: where each app is reached.
  listening: (url: string, apps: ReadonlyArray<{ id: string; key: string }>) => {
    const ws = url.replace(/^http/, 'ws');
    const each = apps.map(
      (app) => `app ${app.id}: WebSocket ${ws}/app/${app.key}, HTTP API ${url}/apps/${app.id}`,
    );
    return `Broadcast server listening on ${url} (health ${url}/up); ${each.join('; ')}`;
  },

  stopping: (connections: number, graceSeconds: number) =>
    `Broadcast server stopping: no new connections; closing ${connections} ` +
    `connection${connections === 1 ? '' : 's'} with 4200 so clients reconnect elsewhere ` +
    `(grace ${graceSeconds} s).`,
  stopped: (cut: number, graceSeconds: number) =>
    cut === 0
      ? 'Broadcast server stopped.'
      : `Broadcast server stopped; cut ${cut} connection${cut === 1 ? '' : 's'} that had not ` +
        `closed within the grace of ${graceSeconds} s.`,

  tlsFileUnreadable: (part: 'cert' | 'key' | 'ca', path: string, code: string | undefined) =>
    `Cannot read the TLS ${part} file ${path}${code ? ` (${code})` : ''}: fix tls.${part} ` +
    `(BROADCASTING_SERVER_TLS_${part.toUpperCase()}, "server.tls.${part}" in the config file or --tls-${part}).`,
  tlsUnusable: (cert: string, key: string, reason: string) =>
    `The TLS certificate ${cert} and key ${key} cannot be used (${reason}): both must be PEM, ` +
    `and the key must belong to the certificate.`,
  notFound: () =>
    'Not found. This broadcast server serves WebSockets on /app/{key}, the HTTP API under /apps/{id}/ and GET /up.',
  cannotListen: (host: string, port: number, reason: string, fix: string) =>
    `The broadcast server cannot listen on ${host}:${port}: ${reason}; ${fix}.`,
  cannotListenUnknown: (
    host: string,
    port: number,
    reason: string,
    hostFix: string,
    portFix: string,
  ) =>
    `The broadcast server cannot listen on ${host}:${port}: ${reason}. ` +
    `Check the host (${hostFix}) and the port (${portFix}).`,
  portInUse: (host: string, port: number) =>
    `port ${port} is already in use on ${host} (pick a free port, or 0 for a random one)`,
  portPrivileged: (port: number) =>
    `no permission to listen on port ${port} (ports below 1024 need privileges)`,
  hostNotLocal: (host: string) => `host ${host} is not an address of this machine`,
  hostUnresolvable: (host: string) => `host ${host} does not resolve to an address`,
  /** Where a setting is changed: the one place it came from when known, else all of them. */
  whereToFix: ({ key, option, env }: ListenSetting, source: ConfigSource | undefined) => {
    switch (source) {
      case 'option':
        return `it came from the "${option}" option: change that option`;
      case 'file':
        return `it came from "${key}" in the config file: change it there`;
      case 'env':
        return `it came from ${env}: change that variable`;
      case 'default':
        return `it is the default: set the "${option}" option, "${key}" in the config file or ${env}`;
      default:
        return `set it with the "${option}" option, "${key}" in the config file or ${env}`;
    }
  },

  // The `serve` command.
  missingCommand: () => 'Missing command: use "serve" (or "work" for queued broadcasts).',
  unknownCommand: (command: string) =>
    `Unknown command "${command}": use "serve" (or "work" for queued broadcasts).`,
  flagNeedsValue: (flag: string) => `${flag} needs a value.`,
  badInteger: (flag: string, text: string, max: number) =>
    `${flag} must be a number from 0 to ${max} (got "${text}").`,
  badWorkers: (text: string, max: number) =>
    `--workers takes a number from 1 to ${max}, or "auto" for one per core (got "${text}").`,
  badChoice: (flag: string, text: string, allowed: readonly string[]) =>
    `${flag} takes ${allowed.map((a) => `"${a}"`).join(', ')} (got "${text}").`,
  unexpectedArgument: (text: string) =>
    `Unexpected argument "${text}": options start with --, and serve takes no other words.`,
  unknownFlag: (flag: string) => `Unknown option "${flag}".`,
  serveUsageError: (message: string, usage: string) =>
    `nestjs-broadcasting: ${message}\n\n${usage}`,
  signalReceived: (signal: string) => `${signal} received: shutting down.`,
  signalAgain: (signal: string) => `${signal} again: exiting without waiting.`,
  shutdownOverdue: (graceSeconds: number) =>
    `The shutdown did not finish within its grace of ${graceSeconds} s (plus 1 s): exiting now.`,
  shutdownFailed: (reason: string) => `Failed to close cleanly: ${reason}`,
  serveMetrics: (metricsUrl: string) => `Prometheus metrics: ${metricsUrl}`,
} satisfies Record<string, (...args: any[]) => string>;
