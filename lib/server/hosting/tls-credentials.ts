import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { BroadcastConfigError } from '../../errors/broadcast.exception.js';
import type { ResolvedServerOptions } from '../options/resolved-server-options.interface.js';
import { HostingMessages } from './hosting-messages.js';

/** The PEM contents `https.createServer` takes. */
export interface TlsCredentials {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
}

/**
 * Reads the `tls` files and checks that they make a usable pair before the server listens,
 * so a wrong path or a key that does not match its certificate stops the start with the key
 * to fix. Errors name paths and OpenSSL's reason, never the files' contents.
 */
export async function readTlsCredentials(
  tls: NonNullable<ResolvedServerOptions['tls']>,
): Promise<TlsCredentials> {
  const read = async (part: 'cert' | 'key' | 'ca', path: string): Promise<Buffer> => {
    try {
      return await readFile(path);
    } catch (error) {
      throw new BroadcastConfigError(
        HostingMessages.tlsFileUnreadable(part, path, (error as NodeJS.ErrnoException).code),
        `server.tls.${part}`,
        tls.source,
      );
    }
  };
  const credentials: TlsCredentials = {
    cert: await read('cert', tls.cert),
    key: await read('key', tls.key),
    ca: tls.ca === undefined ? undefined : await read('ca', tls.ca),
  };
  try {
    createSecureContext(credentials);
  } catch (error) {
    throw new BroadcastConfigError(
      HostingMessages.tlsUnusable(tls.cert, tls.key, reasonOf(error)),
      'server.tls.cert',
      tls.source,
    );
  }
  return credentials;
}

/** OpenSSL's words only: its messages name the problem, never the key material. */
function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].slice(0, 200);
}
