import { describe, expect, it } from 'vitest';
import { routeProcessWarnings } from './serve-command.js';

describe('routeProcessWarnings (the bin with --log-format json)', () => {
  it("logs the process's warnings instead of Node's plain-text printer, until undone", async () => {
    const printers = process.listeners('warning');
    const warned: Array<[string, unknown]> = [];
    const undo = routeProcessWarnings({
      log() {},
      error() {},
      warn: (message, fields) => warned.push([message, fields]),
    });
    try {
      expect(process.listeners('warning')).toHaveLength(1); // ours alone
      process.emitWarning('something is off', { code: 'TEST_WARNING' });
      await new Promise((resolve) => setImmediate(resolve));
      expect(warned).toEqual([
        ['Warning: something is off', { warning: 'Warning', code: 'TEST_WARNING' }],
      ]);
    } finally {
      undo();
    }
    expect(process.listeners('warning')).toEqual(printers);
  });
});
