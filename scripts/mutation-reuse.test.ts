import { describe, expect, it } from 'vitest';
import { inputsOf, staleReason } from './mutation-reuse.js';

const texts: Record<string, string> = {
  'src/rules/url.ts': 'export const a = 1;',
  'src/rules/codes.ts': 'export const codes = {} as const;',
  'src/rules/url.test.ts': "it('works', () => {});",
  'stryker.config.json': '{}',
  'vitest.mutation.config.ts': 'export default {};',
  'scripts/mutation.sh': '#!/usr/bin/env bash',
};
const read =
  (overrides: Record<string, string | undefined> = {}) =>
  (path: string): string | undefined =>
    path in overrides ? overrides[path] : texts[path];

const recorded = inputsOf(
  ['src/rules/url.ts', 'src/rules/codes.ts'],
  ['src/rules/url.test.ts'],
  read(),
);

describe('inputsOf', () => {
  it('should hash the mutated files, the covering tests and the setup that pins Stryker', () => {
    expect(Object.keys(recorded)).toEqual([
      'scripts/mutation.sh',
      'src/rules/codes.ts',
      'src/rules/url.test.ts',
      'src/rules/url.ts',
      'stryker.config.json',
      'vitest.mutation.config.ts',
    ]);
    expect(recorded['src/rules/url.ts']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('should mark a file that is not there as missing, not skip it', () => {
    const inputs = inputsOf(['src/rules/url.ts'], ['src/rules/gone.test.ts'], read());
    expect(inputs['src/rules/gone.test.ts']).toBe('missing');
  });
});

describe('staleReason', () => {
  const MUTATED = ['src/rules/url.ts', 'src/rules/codes.ts'];
  const TESTS = ['src/rules/url.test.ts'];
  // Each row: what differs from the recorded run (changed texts, or other file lists).
  const rows: [
    string,
    Partial<Record<string, string | undefined>>,
    string[],
    string | undefined,
  ][] = [
    ['nothing changed', {}, MUTATED, undefined],
    [
      'a mutated file changed',
      { 'src/rules/url.ts': 'export const a = 2;' },
      MUTATED,
      'src/rules/url.ts changed',
    ],
    [
      'a mutated file without mutants changed (the report leaves it out)',
      { 'src/rules/codes.ts': 'export const codes = { a: `${1}` };' },
      MUTATED,
      'src/rules/codes.ts changed',
    ],
    [
      'a covering test changed',
      { 'src/rules/url.test.ts': "it('works', () => { expect(1).toBe(1); });" },
      MUTATED,
      'src/rules/url.test.ts changed',
    ],
    [
      'a covering test was deleted',
      { 'src/rules/url.test.ts': undefined },
      MUTATED,
      'src/rules/url.test.ts changed',
    ],
    [
      'the Stryker configuration changed',
      { 'stryker.config.json': '{"mutator":{}}' },
      MUTATED,
      'stryker.config.json changed',
    ],
    [
      'the script pinning Stryker changed',
      { 'scripts/mutation.sh': '#!/bin/sh' },
      MUTATED,
      'scripts/mutation.sh changed',
    ],
    ['a new file is mutated', {}, [...MUTATED, 'src/rules/new.ts'], 'src/rules/new.ts is new'],
    [
      'a mutated file left the module',
      {},
      ['src/rules/url.ts'],
      'src/rules/codes.ts is no longer mutated',
    ],
  ];
  it.each(rows)('should say why when %s', (_name, changed, mutated, reason) => {
    expect(staleReason(recorded, inputsOf(mutated, TESTS, read(changed)))).toBe(reason);
  });
});
