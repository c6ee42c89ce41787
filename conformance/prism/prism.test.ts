import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../generated/spec.js';
import { collectReplayCases } from '../cases/spec-examples.js';
import { runAgainstPrism } from './prism.js';

/**
 * Prism (a devDependency) is started as a child process for each run; each takes 1 to 3 s on
 * loopback, mostly Prism's own start-up.
 */
describe('runAgainstPrism', () => {
  it('should replay every case against Prism, get the named example back each time, and stop Prism', async () => {
    const report = await runAgainstPrism();

    expect(report.results.filter((r) => r.outcome === 'fail')).toEqual([]);
    expect(report.target).toMatch(/^Prism 5\.\d+\.\d+ \(http:\/\/127\.0\.0\.1:\d+\)$/);
    expect(report.preferHeader).toBe(true);
    const replayed = new Set(report.results.map((r) => `${r.operation} ${r.case}`));
    for (const replay of collectReplayCases(openApiDocument))
      expect(replayed).toContain(`${replay.operationId} ${replay.name}`);
    const examples = report.results.filter((r) => r.check === 'body is the documented example');
    expect(examples.length).toBeGreaterThanOrEqual(10);
    expect(examples.every((r) => r.outcome === 'pass')).toBe(true);

    const port = /:(\d+)\)$/.exec(report.target)?.[1];
    const stillThere = await fetch(`http://127.0.0.1:${port}/webhooks`).then(
      () => true,
      () => false,
    );
    expect(stillThere).toBe(false);
  });

  it('should catch a spec mock whose answer is not the example the document names', async () => {
    // Prism serves spec/openapi.yaml; the run expects what this changed copy documents.
    const document = structuredClone<unknown>(openApiDocument) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const retrieved = document.paths['/webhooks/{webhook_id}']!['get']!.responses['200'] as {
      content: { 'application/json': { examples: Record<string, { value: object }> } };
    };
    const example = retrieved.content['application/json'].examples['documented_webhook']!;
    example.value = { ...example.value, title: 'Another title' };

    const report = await runAgainstPrism({ document });

    expect(report.results).toContainEqual(
      expect.objectContaining({
        operation: 'retrieve_webhook',
        case: 'documented_webhook',
        check: 'body is the documented example',
        outcome: 'fail',
        detail: '/title: expected "Another title", got "User webhook"',
      }),
    );
  });
});
