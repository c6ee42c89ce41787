/**
 * A small benchmark harness: candidates are measured in interleaved rounds, so a noisy shared
 * machine slows them alike and the ratios between them stay meaningful.
 */
export interface Candidate {
  readonly name: string;
  readonly run: () => unknown;
}

export interface Measured {
  readonly name: string;
  /** Operations per second, median over the rounds. */
  readonly opsPerSecond: number;
}

function median(values: number[]): number {
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
  // Synchronous candidates run in batches between clock reads, so neither `await` nor
  // performance.now() dominates a sub-microsecond operation.
  const once = async (candidate: Candidate) => {
    const result = candidate.run();
    if (result instanceof Promise) await result;
    return result instanceof Promise;
  };
  const batches = new Map<string, number>();
  for (const candidate of candidates) {
    let isAsync = false;
    const start = performance.now();
    for (let i = 0; i < 20; i++) isAsync = await once(candidate); // warm-up and calibration
    const perCall = (performance.now() - start) / 20;
    batches.set(
      candidate.name,
      isAsync ? 1 : Math.max(1, Math.min(1000, Math.floor(0.5 / Math.max(perCall, 1e-6)))),
    );
  }
  for (let round = 0; round < rounds; round++) {
    for (const candidate of candidates) {
      const batch = batches.get(candidate.name) ?? 1;
      let count = 0;
      const start = performance.now();
      let elapsed = 0;
      while (elapsed < roundMs) {
        if (batch === 1) await once(candidate);
        else for (let i = 0; i < batch; i++) candidate.run();
        count += batch;
        elapsed = performance.now() - start;
      }
      rates.get(candidate.name)?.push((count / elapsed) * 1000);
    }
  }
  return candidates.map((c) => ({ name: c.name, opsPerSecond: median(rates.get(c.name) ?? []) }));
}

export function formatRate(rate: number): string {
  if (rate >= 1_000_000) return `${(rate / 1_000_000).toFixed(2)} M/s`;
  if (rate >= 1000) return `${(rate / 1000).toFixed(1)} k/s`;
  return `${rate.toFixed(1)} /s`;
}
