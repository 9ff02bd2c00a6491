/** What the page needs to open its Echo connection. Nothing secret: the key is public. */
export interface DashboardConfig {
  key: string;
  /** `null`: the page's own host and port (the server is attached to this app). */
  wsHost: string | null;
  wsPort: number | null;
}
