import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import PusherJs from 'pusher-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../sample/sample-process.js';
import {
  createConsumerProject,
  runTsc,
  startNode,
  type ConsumerProject,
  type NodeProcess,
} from '../support/consumer-project.js';

interface Channel {
  bind(event: string, callback: (data: any) => void): void;
}
// pusher-js ships CommonJS typings that NodeNext does not see as a constructor.
const PusherClient = PusherJs as unknown as new (
  key: string,
  options: object,
) => { subscribe(name: string): Channel; disconnect(): void };

/** A CommonJS Nest app: every import below becomes a require() in the compiled .cjs. */
const APP = `
import { Controller, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { Broadcastable, BroadcastModule, Channel, type ShouldBroadcast } from 'nestjs-broadcasting';
import { BroadcastServerModule } from 'nestjs-broadcasting/server';
import { BroadcasterFake } from 'nestjs-broadcasting/testing';

@Broadcastable()
export class Pinged implements ShouldBroadcast {
  constructor(readonly count: number) {}
  broadcastOn() {
    return new Channel('pings');
  }
}

@Controller()
export class PingController {
  constructor(private readonly events: EventEmitter2) {}

  @Post('ping')
  async ping() {
    await this.events.emitAsync('pinged', new Pinged(1));
    return { pinged: true };
  }
}

@Module({
  imports: [
    EventEmitterModule.forRoot(),
    BroadcastModule.forRoot({ default: 'local', app: { id: 'cjs', key: 'cjs-key', secret: 'cjs-secret' } }),
    BroadcastServerModule.forRoot(),
  ],
  controllers: [PingController],
})
export class AppModule {}

async function main() {
  const app = await NestFactory.create(AppModule, { logger: ['error'] });
  await app.listen(Number(process.env.PORT), '127.0.0.1');
  const commonJs = typeof require === 'function' && typeof module === 'object';
  console.log(JSON.stringify({ listening: true, commonJs, testingEntry: typeof BroadcasterFake }));
}
main();
`;

/**
 * A CommonJS Nest app that uses the ESM-only package through Node's require(esm): written
 * as .cts, compiled by tsc to .cjs (require() calls), run by node; and the same code
 * type-checked with the tsconfig of the CommonJS template of `nest new` ("module": "commonjs").
 */
describe('a CommonJS Nest app using the package through require()', () => {
  let project: ConsumerProject;
  let app: NodeProcess;
  let port: number;
  let commonJsCheck: { code: number | null; output: string };

  beforeAll(async () => {
    project = createConsumerProject('cjs', { type: 'commonjs' });
    project.write('src/main.cts', APP);
    project.write('cjs-template/main.ts', APP);
    const decorators = { experimentalDecorators: true, emitDecoratorMetadata: true };
    project.write(
      'tsconfig.json',
      JSON.stringify({
        compilerOptions: {
          ...decorators,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'ES2023',
          strict: true,
          skipLibCheck: true,
          types: ['node'],
          outDir: 'dist',
          rootDir: 'src',
        },
        include: ['src'],
      }),
    );
    project.write(
      'tsconfig.cjs-template.json',
      JSON.stringify({
        compilerOptions: {
          ...decorators,
          module: 'commonjs',
          target: 'ES2023',
          strictNullChecks: true,
          skipLibCheck: true,
          types: ['node'],
          noEmit: true,
        },
        include: ['cjs-template'],
      }),
    );
    const [build, template] = await Promise.all([
      runTsc(join(project.dir, 'tsconfig.json')),
      runTsc(join(project.dir, 'tsconfig.cjs-template.json')),
    ]);
    if (build.code !== 0) throw new Error(`tsc failed:\n${build.output}`);
    commonJsCheck = template;
    port = await freePort();
    app = startNode('dist/main.cjs', project.dir, { PORT: String(port) });
    const deadline = Date.now() + 20_000;
    while (!app.output().includes('"listening":true')) {
      if (app.child.exitCode !== null || Date.now() > deadline)
        throw new Error(`The CommonJS app did not start:\n${app.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    project?.remove();
  });

  it('runs as CommonJS and loads all three entry points with require()', () => {
    const status = JSON.parse(
      app
        .output()
        .split('\n')
        .find((line) => line.includes('listening'))!,
    );
    expect(status).toEqual({ listening: true, commonJs: true, testingEntry: 'function' });
    const compiled = readFileSync(join(project.dir, 'dist/main.cjs'), 'utf8');
    for (const entry of [
      'nestjs-broadcasting',
      'nestjs-broadcasting/server',
      'nestjs-broadcasting/testing',
    ])
      expect(compiled).toContain(`require("${entry}")`);
    expect(app.output()).not.toMatch(/ERR_REQUIRE_ESM|ERR_REQUIRE_ASYNC_MODULE/);
  });

  it('broadcasts an @Broadcastable event that pusher-js receives', async () => {
    const client = new PusherClient('cjs-key', {
      cluster: 'mt1',
      wsHost: '127.0.0.1',
      wsPort: port,
      forceTLS: false,
      enabledTransports: ['ws'],
    });
    try {
      const channel = client.subscribe('pings');
      await new Promise((resolve) => channel.bind('pusher:subscription_succeeded', resolve));
      const received = new Promise((resolve) => channel.bind('Pinged', resolve));
      const response = await fetch(`http://127.0.0.1:${port}/ping`, { method: 'POST' });
      expect(await response.json()).toEqual({ pinged: true });
      expect(await received).toEqual({ count: 1 });
    } finally {
      client.disconnect();
    }
  });

  it('type-checks with the tsconfig of the CommonJS template of `nest new`', () => {
    expect(commonJsCheck.output).toBe('');
    expect(commonJsCheck.code).toBe(0);
  });
});
