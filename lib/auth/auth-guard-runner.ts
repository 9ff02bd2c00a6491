import type { CanActivate, ExecutionContext, Type } from '@nestjs/common';
import type { DiscoveryService, ModuleRef } from '@nestjs/core';
import { isObservable, lastValueFrom } from 'rxjs';
import { BroadcastConfigError } from '../errors/broadcast.exception.js';
import { AuthMessages } from './auth-messages.js';

/**
 * Runs `auth.guards` in order before an auth endpoint, the way `@UseGuards` would: the
 * first guard that returns false (or throws) stops the request. Guard classes are resolved
 * once at boot: the app's provider when one is registered (found by class among every
 * module's providers, as DiscoveryService lists them), else a new instance built with the
 * app's injector.
 */
export class AuthGuardRunner {
  private constructor(private readonly guards: CanActivate[]) {}

  static async resolve(
    guards: Array<Type<CanActivate> | CanActivate>,
    discovery: DiscoveryService,
    moduleRef: ModuleRef,
  ): Promise<AuthGuardRunner> {
    const instances: CanActivate[] = [];
    for (const guard of guards) {
      instances.push(
        typeof guard === 'function' ? await instantiate(guard, discovery, moduleRef) : guard,
      );
    }
    return new AuthGuardRunner(instances);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    for (const guard of this.guards) {
      const result = guard.canActivate(context);
      const allowed = isObservable(result) ? await lastValueFrom(result) : await result;
      if (!allowed) return false;
    }
    return true;
  }
}

async function instantiate(
  guard: Type<CanActivate>,
  discovery: DiscoveryService,
  moduleRef: ModuleRef,
): Promise<CanActivate> {
  const registered = discovery
    .getProviders()
    .find((wrapper) => wrapper.metatype === guard && wrapper.isDependencyTreeStatic());
  if (registered?.instance) return registered.instance as CanActivate;
  // Not registered as a provider anywhere: build one, injecting what the app can see.
  try {
    return await moduleRef.create(guard);
  } catch (error) {
    throw new BroadcastConfigError(
      `${AuthMessages.unresolvableGuard(guard.name)} (${(error as Error).message})`,
      'auth.guards',
      'option',
    );
  }
}
