/** Messages of the browser entries (`./client`, `./react`): each says what to pass instead. */
export const ClientMessages = {
  notAClient: (value: unknown) =>
    `Expected a laravel-echo instance (new Echo({ broadcaster: "reverb", ... })) or a pusher-js ` +
    `instance (new Pusher(key, ...)), got ${value === null ? 'null' : typeof value}.`,

  noProvider: () =>
    'No broadcast client: wrap your components in <BroadcastClientProvider client={echo}> ' +
    '(echo = new Echo({ broadcaster: "reverb", ... })).',
};
