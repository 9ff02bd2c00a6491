/** Reflect-metadata key under which `@ChannelAuth` stores its pattern and options. */
export const CHANNEL_AUTH_METADATA = 'nestjs-broadcasting:channel-auth';
