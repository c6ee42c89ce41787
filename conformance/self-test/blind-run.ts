/**
 * Runs the self-test against the blind faults (`blind-faults.ts`): the clean server first, then
 * one run per fault, printing each line.
 */
import { selfTest } from './run.js';

process.exitCode = await selfTest('blind');
