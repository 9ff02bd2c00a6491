/** The app credentials a webhook is checked with. */
export interface WebhookApp {
  /** The Pusher app id the events are reported under (`appId` of each payload). @default the key */
  id?: string;
  /** Matched against `X-Pusher-Key`. */
  key: string;
  /** Signs the body (`X-Pusher-Signature`). Never logged. */
  secret: string;
}

/** Options of `BroadcastWebhookModule.forRoot`. */
export interface BroadcastWebhookModuleOptions {
  /**
   * The route the webhooks are POSTed to (under the app's global prefix, if any).
   * @default '/broadcasting/webhooks'
   */
  path?: string;
  /**
   * Apps whose webhooks are accepted, told apart by `X-Pusher-Key`.
   * @default the cascade's app: BROADCASTING_APP_ID / _APP_KEY / _APP_SECRET (or `app.*` in the config file)
   */
  apps?: WebhookApp[];
}
