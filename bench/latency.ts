// Latency figures of the read path: a p50 and a p99 row from one set of samples, and the summary kept in the details.
import { quantile, round, type Figure, type Target } from './harness.js';

/** Quantiles of latency samples in ms, for a figure's details. */
export function latencySummary(samples: readonly number[]): Record<string, number> {
  return {
    p50: round(quantile(samples, 0.5), 2),
    p90: round(quantile(samples, 0.9), 2),
    p99: round(quantile(samples, 0.99), 2),
    max: round(Math.max(...samples), 2),
    samples: samples.length,
  };
}

/**
 * Two table rows, `<id>_p50` and `<id>_p99`. The target goes on the quantile it is stated for;
 * ratios (to another p50 or p99 row) on the row of the same quantile; details on the p50 row.
 */
export function latencyFigures(
  id: string,
  title: string,
  samples: readonly number[],
  options: { target?: { quantile: 'p50' | 'p99'; bound: Target }; ratios?: Partial<Record<'p50' | 'p99', string>>; details?: Record<string, unknown> } = {},
): Figure[] {
  return (['p50', 'p99'] as const).map((name) => ({
    id: `${id}_${name}`,
    title: `${title}, ${name}`,
    value: round(quantile(samples, name === 'p50' ? 0.5 : 0.99), 1),
    unit: 'ms',
    target: options.target?.quantile === name ? options.target.bound : undefined,
    ratios: options.ratios?.[name] ? [{ to: options.ratios[name] }] : undefined,
    details: name === 'p50' ? { latency_ms: latencySummary(samples), ...options.details } : undefined,
  }));
}
