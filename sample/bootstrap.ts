import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import type { SampleOptions } from './sample-options.js';

export interface RunningSample {
  app: INestApplication;
  /** `http://host:port` of the dashboard. */
  url: string;
}

/** Boots the dashboard and listens; `port: 0` picks a free port (tests). */
export async function startSample(
  options: SampleOptions,
  listen: { host?: string; port?: number; logger?: boolean } = {},
): Promise<RunningSample> {
  const app = await NestFactory.create(AppModule.forRoot(options), {
    logger: listen.logger === false ? false : ['log', 'warn', 'error'],
  });
  app.enableShutdownHooks();
  const host = listen.host ?? '127.0.0.1';
  await app.listen(listen.port ?? 3000, host);
  const address = app.getHttpServer().address() as { port: number };
  return { app, url: `http://${host}:${address.port}` };
}

/**
 * Starts the sample for a person at a terminal: listens on PORT / HOST (default
 * 127.0.0.1:3000), prints the URL, and explains a taken port instead of a stack trace.
 */
export async function startFromCommandLine(options: SampleOptions, title: string): Promise<void> {
  const port = Number(process.env.PORT || 3000);
  try {
    const { url } = await startSample(options, { host: process.env.HOST || '127.0.0.1', port });
    console.log(
      `\n  ${title}: ${url}\n  Open it in two browsers (or a private window) and sign in as two people.\n`,
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    console.error(`\n  Port ${port} is in use: choose another one, e.g. PORT=3001 npm start\n`);
    process.exit(1);
  }
}
