import { describe, expect, it } from 'vitest';
import { channelFrame, ChannelFrames } from './frames.js';

// Names and data with everything JSON must escape: quotes, backslashes, control and
// non-ASCII characters, lone surrogates and U+2028.
const event = 'client-"quoted"\\event';
const data = JSON.stringify({ text: 'line\nbreak "q" \\ é 😀 \u2028 \u0001', lone: '\ud800' });
const channels = ['orders', 'private-orders.1', 'presence-room;x=1', 'é-channel'];

describe('ChannelFrames', () => {
  it('builds, per channel, exactly the frame JSON.stringify builds', () => {
    const frames = new ChannelFrames(event, data);
    for (const channel of channels) {
      expect(frames.frame(channel)).toBe(JSON.stringify({ event, channel, data }));
      expect(channelFrame(event, channel, data)).toBe(frames.frame(channel));
    }
  });

  it('appends user_id (presence client events) after data, escaped too', () => {
    const frames = new ChannelFrames(event, data, 'user "7"\n');
    for (const channel of channels)
      expect(frames.frame(channel)).toBe(
        JSON.stringify({ event, channel, data, user_id: 'user "7"\n' }),
      );
  });
});
