/** Edit distance, for "did you mean": small strings only. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The known name nearest to `given`, if it is near enough to be a typo.
 *
 * @example
 * ```ts
 * nearest('colour', ['color', 'title']); // 'color'
 * ```
 */
export function nearest(given: string, known: readonly string[]): string | undefined {
  let best: { name: string; cost: number } | undefined;
  for (const name of known) {
    const cost = distance(given, name);
    if (!best || cost < best.cost) best = { name, cost };
  }
  return best && best.cost <= Math.max(1, Math.floor(given.length / 3)) ? best.name : undefined;
}
