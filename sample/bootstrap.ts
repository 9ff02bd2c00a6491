import 'reflect-metadata';
import { Logger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import type { SampleOptions } from './sample-options.js';

export interface RunningSample {
  app: INestApplication;
  /** `http://host:port` of the dashboard. */
  url: string;
}

export interface ListenOptions {
  host?: string;
  /** `0` picks a free port (tests). @default 3000 */
  port?: number;
  /** `false` silences Nest's log. @default true */
  logger?: boolean;
  /**
   * Hold Nest's start-up log until the app really listens, then print it; on a failed
   * listen it is dropped, so "successfully started" never precedes an EADDRINUSE.
   * @default false
   */
  holdLogUntilListening?: boolean;
}

/** Boots the dashboard and listens. */
export async function startSample(
  options: SampleOptions,
  listen: ListenOptions = {},
): Promise<RunningSample> {
  const hold = listen.holdLogUntilListening === true;
  let app: INestApplication;
  try {
    app = await NestFactory.create(AppModule.forRoot(options), {
      logger: listen.logger === false ? false : ['log', 'warn', 'error'],
      bufferLogs: hold,
      autoFlushLogs: !hold,
      // Rethrow instead of exiting, so a held log is printed before the error surfaces.
      abortOnError: hold ? false : undefined,
    });
  } catch (error) {
    if (hold) Logger.flush();
    throw error;
  }
  app.enableShutdownHooks();
  const host = listen.host ?? '127.0.0.1';
  try {
    await app.listen(listen.port ?? 3000, host);
  } catch (error) {
    // A taken port is explained by the caller in one line; anything else keeps its context.
    if (hold && !isAddressInUse(error)) app.flushLogs();
    await app.close().catch(() => undefined);
    throw error;
  }
  if (hold) app.flushLogs();
  const address = app.getHttpServer().address() as { port: number };
  return { app, url: `http://${host}:${address.port}` };
}

/**
 * Starts the sample for a person at a terminal: listens on PORT / HOST (default
 * 127.0.0.1:3000) and prints the URL once the port is really open; a taken port gets one
 * sentence instead of a stack trace, and no URL.
 */
export async function startFromCommandLine(options: SampleOptions, title: string): Promise<void> {
  const port = Number(process.env.PORT || 3000);
  try {
    const { url } = await startSample(options, {
      host: process.env.HOST || '127.0.0.1',
      port,
      holdLogUntilListening: true,
    });
    console.log(
      `\n  ${title}: ${url}\n  Open it in two browsers (or a private window) and sign in as two people.\n`,
    );
  } catch (error) {
    if (!isAddressInUse(error)) throw error;
    console.error(`\n  Port ${port} is in use: choose another one, e.g. PORT=3001 npm start\n`);
    process.exit(1);
  }
}

function isAddressInUse(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'EADDRINUSE';
}
