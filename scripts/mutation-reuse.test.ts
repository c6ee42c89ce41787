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
  const rows: {
    name: string;
    mutated: string[];
    tests: string[];
    changed?: Record<string, string | undefined>;
    reason: string | undefined;
  }[] = [
    {
      name: 'nothing changed',
      mutated: ['src/rules/codes.ts', 'src/rules/url.ts'],
      tests: ['src/rules/url.test.ts'],
      reason: undefined,
    },
    {
      name: 'a mutated file changed',
      mutated: ['src/rules/url.ts', 'src/rules/codes.ts'],
      tests: ['src/rules/url.test.ts'],
      changed: { 'src/rules/url.ts': 'export const a = 2;' },
      reason: 'src/rules/url.ts changed',
    },
    {
      name: 'a mutated file without mutants changed (the report leaves it out)',
      mutated: ['src/rules/url.ts', 'src/rules/codes.ts'],
      tests: ['src/rules/url.test.ts'],
      changed: { 'src/rules/codes.ts': 'export const codes = { a: `${1}` };' },
      reason: 'src/rules/codes.ts changed',
    },
    {
      name: 'a covering test changed',
      mutated: ['src/rules/url.ts', 'src/rules/codes.ts'],
      tests: ['src/rules/url.test.ts'],
      changed: { 'src/rules/url.test.ts': "it('works', () => { expect(1).toBe(1); });" },
      reason: 'src/rules/url.test.ts changed',
    },
    {
      name: 'a covering test was deleted',
      mutated: ['src/rules/url.ts', 'src/rules/codes.ts'],
      tests: ['src/rules/url.test.ts'],
      changed: { 'src/rules/url.test.ts': undefined },
      reason: 'src/rules/url.test.ts changed',
    },
    {
      name: 'the Stryker configuration changed',
      mutated: ['src/rules/url.ts', 'src/rules/codes.ts'],
      tests: ['src/rules/url.test.ts'],
      changed: { 'stryker.config.json': '{"mutator":{}}' },
      reason: 'stryker.config.json changed',
    },
    {
      name: 'the script pinning Stryker changed',
      mutated: ['src/rules/url.ts', 'src/rules/codes.ts'],
      tests: ['src/rules/url.test.ts'],
      changed: { 'scripts/mutation.sh': '#!/bin/sh' },
      reason: 'scripts/mutation.sh changed',
    },
    {
      name: 'a new file is mutated',
      mutated: ['src/rules/url.ts', 'src/rules/codes.ts', 'src/rules/new.ts'],
      tests: ['src/rules/url.test.ts'],
      reason: 'src/rules/new.ts is new',
    },
    {
      name: 'a mutated file left the module',
      mutated: ['src/rules/url.ts'],
      tests: ['src/rules/url.test.ts'],
      reason: 'src/rules/codes.ts is no longer mutated',
    },
  ];
  it.each(rows)('should say "$reason" when $name', ({ mutated, tests, changed, reason }) => {
    expect(staleReason(recorded, inputsOf(mutated, tests, read(changed)))).toBe(reason);
  });
});
