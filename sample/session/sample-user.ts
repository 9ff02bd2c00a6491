/** The signed-in user of the sample app: what the session guard puts on `req.user`. */
export interface SampleUser {
  /** Lower-cased name: stable across sign-ins and safe inside a channel name (`users.alice`). */
  id: string;
  /** The name as typed at sign-in. */
  name: string;
}
