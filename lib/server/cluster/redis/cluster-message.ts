/**
 * A broadcast relayed between nodes, on the Redis channel of its Pusher channel (which
 * carries the app and channel). Wire form: a JSON header line, then the event's data as is,
 * so the data string (already JSON) is neither escaped again nor parsed on the way.
 */
export interface ClusterBroadcast {
  /** The node that published it; that node delivered its own sockets already. */
  origin: string;
  event: string;
  data: string;
  exceptSocketId: string | null;
  userId: string | null;
}

export function encodeBroadcast(message: ClusterBroadcast): string {
  const header = [message.origin, message.event, message.exceptSocketId, message.userId];
  return `${JSON.stringify(header)}\n${message.data}`;
}

/** The message, or undefined when it is not one of ours (never throws). */
export function decodeBroadcast(raw: string): ClusterBroadcast | undefined {
  const newline = raw.indexOf('\n');
  if (newline < 0) return undefined;
  let header: unknown;
  try {
    header = JSON.parse(raw.slice(0, newline));
  } catch {
    return undefined;
  }
  if (!Array.isArray(header) || typeof header[0] !== 'string' || typeof header[1] !== 'string')
    return undefined;
  return {
    origin: header[0],
    event: header[1],
    exceptSocketId: typeof header[2] === 'string' ? header[2] : null,
    userId: typeof header[3] === 'string' ? header[3] : null,
    data: raw.slice(newline + 1),
  };
}
