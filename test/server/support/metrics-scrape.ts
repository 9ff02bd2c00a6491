/**
 * Reading Prometheus's text exposition in tests: scrape an endpoint over HTTP, then look
 * samples up by name and labels.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Every sample of an exposition (comments skipped). */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[key] = value;
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** The exposition at `url`, failing the test on anything but a 200 in Prometheus's format. */
export async function scrape(url: string): Promise<Metrics> {
  const res = await fetch(url);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`scrape of ${url} answered ${res.status}: ${text}`);
  if (!res.headers.get('content-type')?.startsWith('text/plain'))
    throw new Error(`scrape of ${url} answered ${res.headers.get('content-type')}`);
  return new Metrics(text);
}

export class Metrics {
  readonly samples: Sample[];

  constructor(readonly text: string) {
    this.samples = parseExposition(text);
  }

  /**
   * The value of the one sample with this name whose labels include `labels`; undefined
   * when there is none. Throws when several match, so a test never reads the wrong one.
   */
  value(name: string, labels: Record<string, string> = {}): number | undefined {
    const found = this.samples.filter(
      (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    );
    if (found.length > 1)
      throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
    return found[0]?.value;
  }

  /** The names of every metric (the `# TYPE` lines). */
  names(): string[] {
    return [...this.text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]);
  }
}

/**
 * Scrapes until `check` holds (counts settle after close frames, Redis reconnects...);
 * the error carries the last exposition, so a failure shows what was there instead.
 */
export async function scrapeUntil(
  url: string,
  check: (metrics: Metrics) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<Metrics> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const metrics = await scrape(url);
    if (check(metrics)) return metrics;
    if (Date.now() > deadline)
      throw new Error(`Timed out waiting for ${what}; last scrape:\n${metrics.text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
