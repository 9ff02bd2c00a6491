import { describe, expect, it } from 'vitest';
import { leveledLogger, streamLogger, type ServerLogger } from './logger.js';

function streams() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

function recorder(lines: string[]): ServerLogger {
  return {
    error: (m) => lines.push(`error ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    log: (m) => lines.push(`info ${m}`),
    debug: (m) => lines.push(`debug ${m}`),
  };
}

describe('leveledLogger', () => {
  it.each([
    ['error', ['error e']],
    ['warn', ['error e', 'warn w']],
    ['info', ['error e', 'warn w', 'info i']],
    ['debug', ['error e', 'warn w', 'info i', 'debug d']],
  ] as const)('at %s passes that level and the ones above it', (level, expected) => {
    const lines: string[] = [];
    const logger = leveledLogger(recorder(lines), level);
    logger.error('e');
    logger.warn('w');
    logger.log('i');
    logger.debug?.('d');
    expect(lines).toEqual(expected);
  });

  it('has no debug method below debug, so callers skip building the line', () => {
    expect(leveledLogger(recorder([]), 'info').debug).toBeUndefined();
    expect(leveledLogger(recorder([]), 'debug').debug).toBeTypeOf('function');
    // A sink without debug has nothing to pass it to.
    const { debug: _, ...noDebug } = recorder([]);
    expect(leveledLogger(noDebug, 'debug').debug).toBeUndefined();
  });
});

describe('streamLogger', () => {
  it('json: one object per line, time, level, msg and fields; info and debug on stdout, the rest on stderr', () => {
    const { out, err, io } = streams();
    const logger = streamLogger('json', io);
    logger.log('listening', { url: 'http://x', apps: [{ id: 'a' }] });
    logger.debug!('opened', { socketId: '1.2' });
    logger.warn('lost');
    logger.error('failed', { code: 7 });
    expect(out.map((l) => JSON.parse(l))).toEqual([
      {
        time: expect.any(String),
        level: 'info',
        msg: 'listening',
        url: 'http://x',
        apps: [{ id: 'a' }],
      },
      { time: expect.any(String), level: 'debug', msg: 'opened', socketId: '1.2' },
    ]);
    expect(err.map((l) => JSON.parse(l))).toEqual([
      { time: expect.any(String), level: 'warn', msg: 'lost' },
      { time: expect.any(String), level: 'error', msg: 'failed', code: 7 },
    ]);
    expect(new Date(JSON.parse(out[0]).time).toISOString()).toBe(JSON.parse(out[0]).time);
  });

  it('json: masks fields named like secrets, and a field cannot overwrite time, level or msg', () => {
    const { out, io } = streams();
    streamLogger('json', io).log('x', {
      secret: 'hunter2',
      appSecret: 'hunter3',
      password: 'pw',
      authorization: 'Bearer t',
      level: 'error',
      msg: 'forged',
    });
    const line = JSON.parse(out[0]);
    expect(line).toMatchObject({ level: 'info', msg: 'x', secret: '****', appSecret: '****' });
    expect(out[0]).not.toMatch(/hunter|pw"|Bearer/);
  });

  it('json: a field that cannot be serialized costs its fields, never the line', () => {
    const { err, io } = streams();
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    streamLogger('json', io).warn('still here', { cycle });
    expect(err.map((l) => JSON.parse(l))).toEqual([
      { time: expect.any(String), level: 'warn', msg: 'still here' },
    ]);
  });

  it('text: the package tag, and WARN / ERROR / DEBUG before what is not info', () => {
    const { out, err, io } = streams();
    const logger = streamLogger('text', io);
    logger.log('up', { ignored: true });
    logger.debug!('detail');
    logger.warn('careful');
    logger.error('broken');
    expect(out).toEqual(['[nestjs-broadcasting] up', '[nestjs-broadcasting] DEBUG detail']);
    expect(err).toEqual([
      '[nestjs-broadcasting] WARN careful',
      '[nestjs-broadcasting] ERROR broken',
    ]);
  });
});
