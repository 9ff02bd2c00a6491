import { BroadcastDriverError } from 'nestjs-broadcasting';
import { describe, expect, it } from 'vitest';
import { loadOptionalPackage } from '../../lib/shared/optional-package.js';

describe('optional peer dependencies', () => {
  it('loads an installed package', async () => {
    const pusher = await loadOptionalPackage<{ default: unknown }>(
      'pusher',
      'The pusher broadcast driver',
    );
    expect(typeof pusher.default).toBe('function');
  });

  it('a missing package is a BroadcastDriverError naming it and the install command', async () => {
    const error = await loadOptionalPackage(
      'nestjs-broadcasting-absent-peer',
      'The example driver',
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BroadcastDriverError);
    expect((error as Error).message).toBe(
      'The example driver needs the "nestjs-broadcasting-absent-peer" package, which is not installed. Run: npm install nestjs-broadcasting-absent-peer',
    );
  });
});
