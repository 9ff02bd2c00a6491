import { describe, expect, it } from 'vitest';
import { MachineOccupancy } from './machine-occupancy.js';

/**
 * The primary's count of workers per channel on its own (workers are plain names here); the
 * real processes and webhooks are in test/server/webhooks/workers-webhooks.spec.ts.
 */
describe('MachineOccupancy', () => {
  it('is occupied by the first worker only and vacated by the last one only', () => {
    const machine = new MachineOccupancy<string>();
    expect(machine.occupy('w1', 'app', 'news')).toBe(true);
    expect(machine.occupy('w2', 'app', 'news')).toBe(false);
    expect(machine.vacate('w1', 'app', 'news')).toBe(false);
    expect(machine.vacate('w2', 'app', 'news')).toBe(true);
    expect(machine.occupy('w2', 'app', 'news')).toBe(true);
  });

  it('keeps apps apart', () => {
    const machine = new MachineOccupancy<string>();
    expect(machine.occupy('w1', 'a', 'news')).toBe(true);
    expect(machine.occupy('w1', 'b', 'news')).toBe(true);
    expect(machine.vacate('w1', 'a', 'news')).toBe(true);
    expect(machine.occupy('w2', 'b', 'news')).toBe(false);
  });

  it('counts a worker once per channel, and ignores a vacate it never occupied', () => {
    const machine = new MachineOccupancy<string>();
    expect(machine.occupy('w1', 'app', 'news')).toBe(true);
    expect(machine.occupy('w1', 'app', 'news')).toBe(false);
    expect(machine.vacate('w2', 'app', 'news')).toBe(false);
    expect(machine.vacate('w1', 'app', 'news')).toBe(true);
    expect(machine.vacate('w1', 'app', 'news')).toBe(false);
  });

  it('returns, when a worker is dropped, the channels only it held', () => {
    const machine = new MachineOccupancy<string>();
    machine.occupy('w1', 'app', 'shared');
    machine.occupy('w2', 'app', 'shared');
    machine.occupy('w2', 'app', 'only-w2');
    machine.occupy('w2', 'other', 'only-w2');
    expect(machine.drop('w2')).toEqual([
      { appId: 'app', channel: 'only-w2' },
      { appId: 'other', channel: 'only-w2' },
    ]);
    expect(machine.drop('w2')).toEqual([]);
    // w2's reports after its drop change nothing; w1 still holds the shared channel.
    expect(machine.vacate('w2', 'app', 'shared')).toBe(false);
    expect(machine.vacate('w1', 'app', 'shared')).toBe(true);
  });
});
