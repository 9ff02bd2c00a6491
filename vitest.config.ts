import swc from 'unplugin-swc';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  plugins: [
    // Nest relies on legacy decorators and emitted design-time metadata, which esbuild lacks.
    swc.vite({
      jsc: {
        target: 'es2022',
        parser: { syntax: 'typescript', decorators: true },
        transform: {
          legacyDecorator: true,
          decoratorMetadata: true,
          useDefineForClassFields: false,
        },
      },
    }),
  ],
  resolve: {
    alias: [
      { find: /^nestjs-broadcasting\/testing$/, replacement: here('./lib/testing/index.ts') },
      { find: /^nestjs-broadcasting\/server$/, replacement: here('./lib/server/index.ts') },
      { find: /^nestjs-broadcasting\/health$/, replacement: here('./lib/health/index.ts') },
      { find: /^nestjs-broadcasting\/contract$/, replacement: here('./lib/contract/index.ts') },
      { find: /^nestjs-broadcasting\/client$/, replacement: here('./lib/client/index.ts') },
      { find: /^nestjs-broadcasting\/react$/, replacement: here('./lib/react/index.ts') },
      { find: /^nestjs-broadcasting$/, replacement: here('./lib/index.ts') },
    ],
  },
  test: {
    include: ['lib/**/*.spec.ts', 'test/**/*.spec.{ts,mjs}', 'bench/*.spec.mjs'],
    testTimeout: 20_000,
    // Setup starts real processes (Redis, server nodes, Nest apps): slow only on a loaded machine.
    hookTimeout: 120_000,
    // Protocol tests open real sockets and processes; two cores are all we have.
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
