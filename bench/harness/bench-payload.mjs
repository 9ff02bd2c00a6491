/**
 * The event every scenario broadcasts. It carries its intended send time `t` (µs on the
 * machine-wide monotonic clock, see makeClock) and its sequence number `i`, so receivers
 * measure latency against the schedule (open loop: a late publisher cannot hide delay)
 * and count losses and duplicates per socket.
 */
export const BENCH_EVENT = 'order.shipped';
export const BENCH_CHANNEL = 'bench-orders';

/** The payload object (what the redis driver / Laravel put in `data`). */
export function benchPayload(intendedUs, seq) {
  return { t: Math.round(intendedUs), i: seq, order: { id: 4242, status: 'shipped', total: 99.5 } };
}

// Matches both the raw JSON (`"t":1,"i":2`) and the JSON-in-a-string the Pusher protocol
// carries (`\"t\":1,\"i\":2`), so one cheap scan serves every server.
const FIELDS = /t\\?":(\d+),\\?"i\\?":(\d+)/;

/** Extracts `{ t, i }` from a received frame's text, or undefined when it is not ours. */
export function readStamp(text) {
  const match = FIELDS.exec(text);
  if (!match) return undefined;
  return { t: Number(match[1]), i: Number(match[2]) };
}
