/**
 * Exact-enough percentiles over several processes' histograms. A perf_hooks histogram cannot
 * cross a process boundary, so each load client sends its `percentiles` steps (percentile →
 * value, HdrHistogram's own iteration points) and its count; the merged distribution is the
 * count-weighted sum of those step functions.
 */
export function mergeLatencies(parts) {
  const used = parts.filter((part) => part.count > 0);
  const total = used.reduce((sum, part) => sum + part.count, 0);
  if (total === 0) return undefined;
  const values = [...new Set(used.flatMap((part) => part.steps.map(([, value]) => value)))].sort(
    (a, b) => a - b,
  );
  const fractionAtOrBelow = (part, value) => {
    let fraction = 0;
    for (const [percentile, stepValue] of part.steps) {
      if (stepValue <= value) fraction = Math.max(fraction, percentile / 100);
    }
    return fraction;
  };
  const cdf = values.map(
    (value) =>
      used.reduce((sum, part) => sum + part.count * fractionAtOrBelow(part, value), 0) / total,
  );
  const at = (q) => values[cdf.findIndex((fraction) => fraction >= q)] ?? values.at(-1);
  return {
    count: total,
    p50: at(0.5),
    p99: at(0.99),
    p999: at(0.999),
    max: Math.max(...used.map((part) => part.max)),
  };
}
