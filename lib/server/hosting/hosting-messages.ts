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
  listeningOnOwnPort: (url: string) =>
    `Broadcast server listening on ${url} (/app/{key}, /apps/{id})`,

  // startBroadcastServer and its own HTTP server.
  listeningStandalone: (url: string) =>
    `Broadcast server listening on ${url} (WebSocket /app/{key}, HTTP API /apps/{id})`,
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
  missingCommand: () => 'Missing command: use "serve".',
  unknownCommand: (command: string) => `Unknown command "${command}": use "serve".`,
  flagNeedsValue: (flag: string) => `${flag} needs a value.`,
  badPort: (text: string) => `--port must be a number from 0 to 65535 (got "${text}").`,
  badScaling: (mode: string) =>
    `--scaling takes "redis" (got "${mode}"); leave it out to run a single node.`,
  unknownFlag: (flag: string) => `Unknown option "${flag}".`,
  serveFailed: (message: string) => `nestjs-broadcasting: ${message}`,
  serveUsageError: (message: string, usage: string) =>
    `nestjs-broadcasting: ${message}\n\n${usage}`,
  serveListening: (url: string, wsUrl: string, appKey: string, appId: string) =>
    `nestjs-broadcasting: broadcast server listening on ${url}\n` +
    `  WebSocket: ${wsUrl}/app/${appKey}   HTTP API: ${url}/apps/${appId}   health: ${url}/up`,
  serveMetrics: (metricsUrl: string) => `  metrics: ${metricsUrl}`,
} satisfies Record<string, (...args: any[]) => string>;
