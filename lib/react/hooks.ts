import { useCallback, useEffect, useRef, useState } from 'react';
import type {
  EventContract,
  MemberOf,
  ParamsOf,
  PayloadInput,
  PayloadOf,
  WhisperContract,
} from '../contract/event-contract.js';
import {
  joinPresence,
  listen,
  listenForWhisper,
  whisper,
  type PresenceChannelContract,
} from '../client/listen.js';
import { useBroadcastClient } from './broadcast-client.context.js';

/**
 * The latest callback, without resubscribing when a component passes a new closure each
 * render (what `useEcho`'s dependency list is for in @laravel/echo-react).
 */
function useLatest<T>(value: T) {
  const ref = useRef(value);
  ref.current = value;
  return ref;
}

/**
 * Listens for a contract's event while the component is mounted:
 * `useBroadcastEvent(OrderShipped, { orderId }, (e) => setTracking(e.tracking))`.
 * Resubscribes when the channel name changes; leaves the channel with its last listener.
 */
export function useBroadcastEvent<E extends EventContract>(
  event: E,
  params: ParamsOf<E>,
  callback: (payload: PayloadOf<E>) => void,
): void {
  const client = useBroadcastClient();
  const latest = useLatest(callback);
  const channel = event.channel.name(params as never);
  useEffect(
    () => listen(client, event, params, (payload) => latest.current(payload)),
    // The name stands for the params: a new object with the same values is the same channel.
    [client, event, channel],
  );
}

/**
 * The members of a presence channel, typed by its contract, kept current as people arrive
 * and leave: `const members = usePresenceMembers(Dashboard, {})`.
 */
export function usePresenceMembers<C extends PresenceChannelContract>(
  channel: C,
  params: ParamsOf<C>,
  identify: (member: MemberOf<C>) => unknown = (member) => (member as { id?: unknown })?.id,
): MemberOf<C>[] {
  const client = useBroadcastClient();
  const [members, setMembers] = useState<MemberOf<C>[]>([]);
  const key = useLatest(identify);
  const name = channel.name(params as never);
  useEffect(() => {
    setMembers([]);
    const same = (a: MemberOf<C>) => (b: MemberOf<C>) => key.current(a) === key.current(b);
    return joinPresence(client, channel, params, {
      here: (all) => setMembers(all),
      joining: (member) => setMembers((list) => [...list.filter((m) => !same(member)(m)), member]),
      leaving: (member) => setMembers((list) => list.filter((m) => !same(member)(m))),
    });
  }, [client, channel, name]);
  return members;
}

/** Listens for a typed whisper while the component is mounted. */
export function useWhisperListener<W extends WhisperContract>(
  contract: W,
  params: ParamsOf<W>,
  callback: (payload: PayloadOf<W>) => void,
): void {
  const client = useBroadcastClient();
  const latest = useLatest(callback);
  const name = contract.channel.name(params as never);
  useEffect(
    () => listenForWhisper(client, contract, params, (payload) => latest.current(payload)),
    [client, contract, name],
  );
}

/** A function that whispers a typed payload on the contract's channel. */
export function useWhisper<W extends WhisperContract>(
  contract: W,
  params: ParamsOf<W>,
): (payload: PayloadInput<W>) => void {
  const client = useBroadcastClient();
  const latestParams = useLatest(params);
  return useCallback(
    (payload: PayloadInput<W>) => whisper(client, contract, latestParams.current, payload),
    [client, contract, latestParams],
  );
}
