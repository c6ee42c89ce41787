/**
 * The fault sets the self-test runs, by name: the seeded faults CI gates on, and the two sets
 * written apart from the suite (run by hand, `*-run.ts`). A shard process finds its set here.
 */
import { blindFaults } from './blind-faults.js';
import { seededFaults } from './faults.js';
import { holdoutFaults } from './holdout-faults.js';
import type { SeededFault } from './proxy.js';

/** Every fault set, by the name a shard process is given. */
export const faultSets: Readonly<Record<'seeded' | 'holdout' | 'blind', readonly SeededFault[]>> = {
  seeded: seededFaults,
  holdout: holdoutFaults,
  blind: blindFaults,
};

/** The name of a fault set. */
export type FaultSetName = keyof typeof faultSets;
