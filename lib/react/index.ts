// Public API of `nestjs-broadcasting/react`: hooks over the `./client` helpers, in the style
// of @laravel/echo-react's useEcho. React is an optional peer: only this entry imports it.
export {
  BroadcastClientProvider,
  useBroadcastClient,
  type BroadcastClientProviderProps,
} from './broadcast-client.context.js';
export { useBroadcastEvent, usePresenceMembers, useWhisper, useWhisperListener } from './hooks.js';
