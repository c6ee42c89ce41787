/**
 * Measures the receiver conformance suite against the second batch of hand-written receivers
 * (`blind-receivers.ts`, written apart from the suite and from the first batch): every correct
 * one should pass, every broken one should be caught. `--strict` measures the strict level:
 *
 *   npx tsx conformance/self-test/blind-receivers-run.ts [--strict]
 */
import { blindCorrectReceivers, blindReceivers } from './blind-receivers.js';
import { measure } from './receiver-sets.js';

await measure(blindCorrectReceivers, blindReceivers, { strict: process.argv.includes('--strict') });
