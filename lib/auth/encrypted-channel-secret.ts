import { createHash } from 'node:crypto';
import { MasterKeyProblems } from './auth-messages.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes BROADCASTING_ENCRYPTION_MASTER_KEY. Throws an Error saying what is wrong
 * (never echoing the key) unless it is base64 of exactly 32 bytes.
 */
export function decodeEncryptionMasterKey(base64: string): Buffer {
  if (!BASE64.test(base64)) throw new Error(MasterKeyProblems.notBase64);
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32) throw new Error(MasterKeyProblems.wrongLength(key.length));
  return key;
}

/**
 * The `shared_secret` of a `private-encrypted-` channel: base64 of SHA-256 over the channel
 * name's bytes followed by the master key. This is how the `pusher` SDK derives it, so
 * payloads it (or any Pusher server library) encrypts decrypt in pusher-js with this key.
 */
export function encryptedChannelSharedSecret(masterKey: Buffer, channel: string): string {
  return createHash('sha256')
    .update(Buffer.concat([Buffer.from(channel), masterKey]))
    .digest('base64');
}
