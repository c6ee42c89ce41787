import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TELEMETRY_METRICS } from './telemetry.js';

describe('the metrics table of docs/telemetry.md', () => {
  it('should list exactly the metrics the package records, with their instrument, unit and meaning', () => {
    const page = readFileSync(new URL('../../docs/telemetry.md', import.meta.url), 'utf8');
    const section = page.slice(page.indexOf('## Metrics'));
    const rows = [...section.matchAll(/^\| `([a-z.]+)` +\| (\w+) +\| `([^`]+)` +\| (.+?) +\|$/gm)];
    expect(
      rows.map(([, name, kind, unit, description]) => [name, { kind, unit, description }]),
    ).toEqual(Object.entries(TELEMETRY_METRICS));
  });
});
