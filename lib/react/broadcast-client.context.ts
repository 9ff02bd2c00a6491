import { createContext, createElement, useContext, type ReactNode } from 'react';
import type { BroadcastClient } from '../client/client-like.interface.js';
import { ClientMessages } from '../client/client-messages.js';

const BroadcastClientContext = createContext<BroadcastClient | undefined>(undefined);

/** Props of {@link BroadcastClientProvider}. */
export interface BroadcastClientProviderProps {
  /** Your laravel-echo (or pusher-js) instance, created once for the app. */
  client: BroadcastClient;
  children?: ReactNode;
}

/** Makes one Echo (or pusher-js) instance available to the hooks below it. */
export function BroadcastClientProvider({ client, children }: BroadcastClientProviderProps) {
  return createElement(BroadcastClientContext.Provider, { value: client }, children);
}

/** The client of the nearest {@link BroadcastClientProvider}; throws when there is none. */
export function useBroadcastClient(): BroadcastClient {
  const client = useContext(BroadcastClientContext);
  if (!client) {
    throw new Error(ClientMessages.noProvider());
  }
  return client;
}
