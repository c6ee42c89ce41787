import { describe, expect, it } from 'vitest';
import { createUpvestSigner } from '../../src/signing/upvest-profile.js';
import { runConformance } from '../run/run.js';
import { problem, startFaultyServer } from '../self-test/proxy.js';

/** The mock behind a proxy that crashes on the largest allowed batch size, a boundary value. */
async function crashingAtTheBound() {
  return startFaultyServer({
    name: 'answers 500 to max_package_size 1048576',
    kind: 'too strict',
    request(request) {
      return /"max_package_size":1048576\b/.test(request.body)
        ? problem(500, 'internal error')
        : undefined;
    },
  });
}

describe('the fuzz profile', () => {
  it.each([1, 2, 3, 4, 5])(
    'should find a 500 on a boundary value within its default budget (seed %i) and print the shrunk input',
    async (seed) => {
      const server = await crashingAtTheBound();
      try {
        const { mock } = server;
        const key = { keyId: mock.credentials.keyId, privateKey: mock.credentials.privateKey! };
        const report = await runConformance({
          baseUrl: server.url,
          profiles: ['fuzz'],
          credentials: {
            clientId: mock.credentials.clientId,
            clientSecret: mock.credentials.clientSecret,
          },
          signer: createUpvestSigner(key),
          fuzz: { seed },
        });
        const failures = report.results.filter((r) => r.outcome === 'fail');
        expect(failures.length).toBeGreaterThan(0);
        for (const failure of failures) {
          // A 500 is never owed, to valid or broken input.
          expect(failure.detail).toMatch(/^HTTP 500 where (200|201|400) is owed/);
          expect(failure.detail).toContain('"max_package_size":1048576');
          expect(failure.detail).toContain(`reproduce with --seed ${seed}`);
        }
        // A valid body crashed it, and was shrunk: the title is as short as a title gets.
        const valid = failures.find((f) => f.case.startsWith('generated valid'));
        expect(valid?.detail).toMatch(/"title":""/);
      } finally {
        await server.close();
      }
    },
  );

  it('should pass the embedded mock, whatever the seed', async () => {
    const report = await runConformance({ profiles: ['fuzz'], fuzz: { maxExamples: 40 } });
    expect(report.results.filter((r) => r.outcome === 'fail')).toEqual([]);
    expect(report.results.filter((r) => r.profile === 'fuzz')).toHaveLength(5);
  });
});
