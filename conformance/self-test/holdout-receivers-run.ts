/**
 * Measures the receiver conformance suite against hand-written receivers (`holdout-receivers.ts`):
 * every correct one should pass, every broken one should be caught. Prints one line per receiver
 * and a summary; `--strict` measures the strict level:
 *
 *   npx tsx conformance/self-test/holdout-receivers-run.ts [--strict]
 */
import { brokenReceivers, correctReceivers } from './holdout-receivers.js';
import { measure } from './receiver-sets.js';

await measure(correctReceivers, brokenReceivers, { strict: process.argv.includes('--strict') });
