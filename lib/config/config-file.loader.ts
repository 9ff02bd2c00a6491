import { access, readFile } from 'node:fs/promises';
import { extname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BroadcastConfigError } from '../errors/broadcast.exception.js';
import { ConfigMessages } from './config-messages.js';
import { CONFIG_FILE_CANDIDATES, CONFIG_FILE_ENV } from './config-keys.js';

export interface LoadedConfigFile {
  path: string;
  values: Record<string, unknown>;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds and reads the config file: BROADCASTING_CONFIG when set (it must exist), else the
 * first of `config/broadcasting.{mjs,js,cjs,json}` under `cwd`, else none.
 */
export async function loadConfigFile(
  env: Record<string, string | undefined>,
  cwd: string,
): Promise<LoadedConfigFile | undefined> {
  const named = env[CONFIG_FILE_ENV];
  let path: string | undefined;
  if (named) {
    path = isAbsolute(named) ? named : resolve(cwd, named);
    if (!(await exists(path))) {
      throw new BroadcastConfigError(
        ConfigMessages.configFileMissing(CONFIG_FILE_ENV, named, path),
        CONFIG_FILE_ENV,
        'env',
      );
    }
  } else {
    for (const candidate of CONFIG_FILE_CANDIDATES) {
      const full = resolve(cwd, candidate);
      if (await exists(full)) {
        path = full;
        break;
      }
    }
  }
  if (!path) return undefined;
  return { path, values: await readValues(path) };
}

/**
 * Parses a JSON config file. JSON.parse's own message may quote the file (`Unexpected token
 * 'x', "{"secret":"..." is not valid JSON`), and the file holds secrets, so the error gives
 * only where the syntax breaks, never any of the content.
 */
function parseJsonFile(path: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const position = /at position (\d+)/.exec(String((error as Error)?.message))?.[1];
    const at = position === undefined ? undefined : lineAndColumn(text, Number(position));
    throw new BroadcastConfigError(
      ConfigMessages.configFileNotJson(path, at),
      CONFIG_FILE_ENV,
      'file',
    );
  }
}

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

async function readValues(path: string): Promise<Record<string, unknown>> {
  let values: unknown;
  try {
    if (extname(path) === '.json') {
      const text = await readFile(path, 'utf8');
      return checkObject(path, parseJsonFile(path, text));
    } else {
      const mod = (await import(/* @vite-ignore */ pathToFileURL(path).href)) as {
        default?: unknown;
      };
      values = mod.default ?? mod;
      // A function lets the file compute its values (possibly asynchronously).
      if (typeof values === 'function') values = await (values as () => unknown)();
    }
  } catch (error) {
    if (error instanceof BroadcastConfigError) throw error;
    throw new BroadcastConfigError(
      ConfigMessages.configFileUnreadable(path, error),
      CONFIG_FILE_ENV,
      'file',
    );
  }
  return checkObject(path, values);
}

function checkObject(path: string, values: unknown): Record<string, unknown> {
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    throw new BroadcastConfigError(
      ConfigMessages.configFileNotObject(path, values),
      CONFIG_FILE_ENV,
      'file',
    );
  }
  return values as Record<string, unknown>;
}
