/**
 * The parts of laravel-echo and pusher-js the helpers use, written structurally so this entry
 * imports neither: pass your own `Echo` or `Pusher` instance and it fits.
 */
type Callback = (data: any) => void;

/** An Echo channel (`echo.private('orders.1')`). */
export interface EchoChannelLike {
  listen(event: string, callback: Callback): unknown;
  stopListening(event: string, callback?: Callback): unknown;
  listenForWhisper(event: string, callback: Callback): unknown;
  stopListeningForWhisper(event: string, callback?: Callback): unknown;
  error(callback: Callback): unknown;
}

/** An Echo channel that can whisper: private, encrypted and presence ones. */
export interface EchoWhisperChannelLike extends EchoChannelLike {
  whisper(event: string, data: Record<any, any>): unknown;
}

/** An Echo presence channel (`echo.join('dashboard')`). */
export interface EchoPresenceChannelLike extends EchoWhisperChannelLike {
  here(callback: Callback): unknown;
  joining(callback: Callback): unknown;
  leaving(callback: Callback): unknown;
}

/** A laravel-echo instance on a Pusher-protocol broadcaster (`reverb`, `pusher`). */
export interface EchoLike {
  channel(name: string): EchoChannelLike;
  private(name: string): EchoWhisperChannelLike;
  encryptedPrivate(name: string): EchoWhisperChannelLike;
  join(name: string): EchoPresenceChannelLike;
  leaveChannel(fullName: string): void;
}

/** A pusher-js channel (`pusher.subscribe('private-orders.1')`). */
export interface PusherChannelLike {
  bind(event: string, callback: Callback): unknown;
  unbind(event?: string, callback?: Callback): unknown;
  trigger(event: string, data: any): boolean;
}

/** A pusher-js `Pusher` instance. */
export interface PusherLike {
  subscribe(fullName: string): PusherChannelLike;
  unsubscribe(fullName: string): void;
}

/** What the helpers take: a laravel-echo or a pusher-js instance. */
export type BroadcastClient = EchoLike | PusherLike;

/** Stops what a helper started; the channel is left when nothing else of the helpers uses it. */
export type StopListening = () => void;
