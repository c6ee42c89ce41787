/**
 * The benchmark harness: tinybench measures each candidate (warm-up, calibration, sync and
 * async tasks, timer overhead), and the candidates take turns in interleaved rounds, so a noisy
 * shared machine slows them alike and the ratios between them stay meaningful. A candidate's
 * rate is the median of its rounds; the spread is how far its rounds ranged around it.
 */
import { Bench } from 'tinybench';

export interface Candidate {
  readonly name: string;
  readonly run: () => unknown;
  /**
   * Calls of `run` per timed sample, for work under a microsecond: tinybench reads the clock
   * around every sample, and at one call per sample that reading (tens of nanoseconds) would be
   * part of every candidate's time and pull their ratios towards 1.
   */
  readonly batch?: number;
}

export interface Measured {
  readonly name: string;
  /** Operations per second, median over the rounds. */
  readonly opsPerSecond: number;
  /** (slowest round … fastest round) as a fraction of the median, e.g. 0.08 for ±4%. */
  readonly spread: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Runs every candidate for `roundMs` per round, `rounds` times, interleaved. */
export async function compare(
  candidates: readonly Candidate[],
  options: { rounds?: number; roundMs?: number } = {},
): Promise<Measured[]> {
  const rounds = options.rounds ?? 7;
  const roundMs = options.roundMs ?? 200;
  const rates = new Map<string, number[]>(candidates.map((c) => [c.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const candidate of candidates) {
      const bench = new Bench({
        time: roundMs,
        warmup: round === 0,
        warmupTime: 100,
        throws: true,
      });
      const { run, batch = 1 } = candidate;
      bench.add(
        candidate.name,
        batch === 1
          ? run
          : () => {
              // The last result goes back to tinybench, so no call can be dropped as unused.
              let last: unknown;
              for (let call = 0; call < batch; call++) last = run();
              return last;
            },
      );
      await bench.run();
      const result = bench.tasks[0]?.result;
      if (result?.state !== 'completed') throw new Error(`${candidate.name} did not complete`);
      // Mean over the round (runs / time), not a per-sample figure: sub-microsecond samples are
      // at the timer's resolution, a round's total is not.
      rates.get(candidate.name)?.push((1000 / result.period) * batch);
    }
  }
  return candidates.map((c) => {
    const measured = rates.get(c.name) ?? [];
    const mid = median(measured);
    return {
      name: c.name,
      opsPerSecond: mid,
      spread: mid === 0 ? 0 : (Math.max(...measured) - Math.min(...measured)) / mid,
    };
  });
}

export function formatRate(rate: number): string {
  if (rate >= 1_000_000) return `${(rate / 1_000_000).toFixed(2)} M/s`;
  if (rate >= 1000) return `${(rate / 1000).toFixed(1)} k/s`;
  return `${rate.toFixed(1)} /s`;
}
