import { describe, expect, it } from 'vitest';
import { ruleCases, sendableRuleCases } from '../../src/testing/index.js';
import { runConformance } from '../run/run.js';
import { ruleCaseName } from './rules.js';

/**
 * The rows of the rule tables no server can be sent, each for a reason: JSON cannot carry the
 * value (it would arrive as something else), or the body is the transport's to refuse (413).
 * A new row that is not sendable fails the test below until it is named here.
 */
const CLIENT_ONLY = [
  'url: a URL object',
  'title: a 10 MB title (R9)',
  'config.max_package_size: negative zero (R6)',
  'config.max_package_size: NaN',
  'config.max_package_size: infinity',
  'config.max_package_size: minus infinity',
  'config.max_package_size: a bigint',
  'type: a hole in a sparse list (R7)',
  'type: a set',
];

describe('the rules profile', () => {
  it('should leave out only the rows named as client-only', () => {
    const sendable = new Set(sendableRuleCases());
    const left = ruleCases.filter((row) => !sendable.has(row)).map((r) => `${r.field}: ${r.name}`);

    expect(left).toEqual(CLIENT_ONLY);
  });

  it('should send every other row of the rule tables to the server, in a create and an update, and pass the embedded mock', async () => {
    const report = await runConformance({ profiles: ['rules'] });

    const cases = new Set(report.results.filter((r) => r.profile === 'rules').map((r) => r.case));
    const missing = sendableRuleCases()
      .flatMap((row) => [ruleCaseName(row, 'create'), ruleCaseName(row, 'update')])
      .filter((name) => !cases.has(name));
    expect(missing).toEqual([]);
    expect(report.counts.fail).toBe(0);
    expect(report.counts.pass).toBeGreaterThan(sendableRuleCases().length * 2);
  }, 60_000);
});
