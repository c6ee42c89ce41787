/**
 * The benchmark harness: tinybench measures each candidate (warm-up, calibration, sync and
 * async tasks, timer overhead), and the candidates take turns in interleaved rounds, so a noisy
 * shared machine slows them alike and the ratios between them stay meaningful (every other round
 * runs them in reverse order). A candidate's
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
  /**
   * The process's CPU time (user + system, every thread) per operation, in microseconds, median
   * over the rounds. On loopback HTTP, where the machine's scheduling moves wall-clock rates by
   * tens of percent between rounds, CPU per call is the steadier measure of the work done (it
   * includes the in-process server's share, the same for every candidate).
   */
  readonly cpuMicros: number;
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
  const cpu = new Map<string, number[]>(candidates.map((c) => [c.name, []]));
  for (let round = 0; round < rounds; round++) {
    // Every other round in reverse order: a candidate that always ran right after another would
    // inherit its garbage to collect and its turn of the machine's clock.
    const order = round % 2 === 0 ? candidates : [...candidates].reverse();
    for (const candidate of order) {
      const bench = new Bench({
        time: roundMs,
        warmup: round === 0,
        warmupTime: 100,
        throws: true,
      });
      const { run, batch = 1 } = candidate;
      let calls = 0;
      bench.add(candidate.name, () => {
        calls += batch;
        if (batch === 1) return run();
        // The last result goes back to tinybench, so no call can be dropped as unused.
        let last: unknown;
        for (let call = 0; call < batch; call++) last = run();
        return last;
      });
      const before = process.cpuUsage();
      await bench.run();
      const used = process.cpuUsage(before);
      cpu.get(candidate.name)?.push((used.user + used.system) / Math.max(1, calls));
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
      cpuMicros: median(cpu.get(c.name) ?? []),
    };
  });
}

export function formatRate(rate: number): string {
  if (rate >= 1_000_000) return `${(rate / 1_000_000).toFixed(2)} M/s`;
  if (rate >= 1000) return `${(rate / 1000).toFixed(1)} k/s`;
  return `${rate.toFixed(1)} /s`;
}
