import { describe, expect, it } from 'vitest';
import { eventNameProblem, isValidEventName, MAX_EVENT_NAME_LENGTH } from './channel-names.js';

describe('eventNameProblem', () => {
  it('accepts 1 to MAX_EVENT_NAME_LENGTH characters', () => {
    expect(MAX_EVENT_NAME_LENGTH).toBe(200);
    expect(eventNameProblem('a')).toBeUndefined();
    expect(eventNameProblem('x'.repeat(200))).toBeUndefined();
    expect(isValidEventName('App\\Events\\OrderShipped')).toBe(true);
  });

  it('names the problem of an empty, missing or too long name', () => {
    expect(eventNameProblem('')).toBe('empty');
    expect(eventNameProblem(undefined)).toBe('empty');
    expect(eventNameProblem(42)).toBe('empty');
    expect(eventNameProblem('x'.repeat(201))).toBe('too long');
    expect(isValidEventName('x'.repeat(201))).toBe(false);
  });
});
