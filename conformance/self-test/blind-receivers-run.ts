/**
 * Measures the receiver conformance suite against the second, independent batch of hand-written
 * receivers (`blind-receivers.ts`): every correct one should pass, every broken one should be
 * caught. Prints one line per receiver and a summary:
 *
 *   npx tsx conformance/self-test/blind-receivers-run.ts
 */
import { freshReceiverKey, jwksOf, runReceiverConformance } from '../receiver/receiver.js';
import { blindCorrectReceivers, blindReceivers, type TestReceiver } from './blind-receivers.js';

async function failuresOf(receiver: TestReceiver) {
  const key = freshReceiverKey();
  const server = await receiver.start(jwksOf(key));
  try {
    const report = await runReceiverConformance({ url: server.url, key });
    return report.results.filter((r) => r.outcome === 'fail');
  } finally {
    await server.close();
  }
}

let passed = 0;
for (const receiver of blindCorrectReceivers) {
  const failures = await failuresOf(receiver);
  if (failures.length === 0) passed++;
  console.log(`correct ${failures.length === 0 ? 'PASS' : 'FAIL'} ${receiver.name}`);
  for (const f of failures) console.log(`    ${f.case}: ${f.check}: ${f.detail ?? ''}`);
}

let caught = 0;
for (const receiver of blindReceivers) {
  const failures = await failuresOf(receiver);
  if (failures.length > 0) caught++;
  console.log(`broken ${failures.length > 0 ? 'CAUGHT' : 'MISSED'} ${receiver.name}`);
  for (const f of failures) console.log(`    ${f.case}: ${f.check}`);
}

console.log(
  `broken caught: ${caught}/${blindReceivers.length}; ` +
    `correct passed: ${passed}/${blindCorrectReceivers.length}`,
);
