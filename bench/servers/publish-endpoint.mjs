/**
 * The baselines' publish input: accepts the body of the Pusher HTTP API's `POST
 * /apps/{id}/events` (`{ name, channels | channel, data }`) on any path, without checking the
 * signature, so the publisher is the same for every server and the baselines do the least work
 * a publish can cost.
 */
export function publishEndpoint(broadcast) {
  return (req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(404).end();
      return;
    }
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString());
      } catch {
        res.writeHead(400).end('{}');
        return;
      }
      for (const channel of body.channels ?? [body.channel])
        broadcast(channel, body.name, body.data);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  };
}

/**
 * Redis input in Laravel's format (`{"event","data","socket"}` on prefix + channel), the
 * same messages the redis driver publishes; subscribed per channel on first use.
 */
export async function redisInput({ url, prefix }, broadcast) {
  const { default: Redis } = await import('ioredis');
  const subscriber = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await subscriber.connect();
  subscriber.on('message', (redisChannel, message) => {
    const body = JSON.parse(message);
    broadcast(redisChannel.slice(prefix.length), body.event, JSON.stringify(body.data));
  });
  return {
    subscribe: (channel) => subscriber.subscribe(prefix + channel),
    close: () => subscriber.quit().catch(() => subscriber.disconnect()),
  };
}
