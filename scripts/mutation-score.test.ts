import { describe, expect, it } from 'vitest';
import { scoresOf } from './mutation-score.js';

const mutants = (...statuses: string[]) => ({ mutants: statuses.map((status) => ({ status })) });

describe('scoresOf', () => {
  it('should count detected mutants per module as Stryker does, and ignore what it ignores', () => {
    const scores = scoresOf({
      files: {
        'src/signing/verify.ts': mutants('Killed', 'Timeout', 'Survived', 'NoCoverage', 'Ignored'),
        '/abs/path/src/signing/digest.ts': mutants('Killed', 'CompileError'),
        'src/client/retry-policy.ts': mutants('Survived'),
        'src/client/webhooks-client.ts': mutants('Survived'),
      },
    });
    expect(scores.find((s) => s.module === 'signing')).toEqual({
      module: 'signing',
      detected: 3,
      counted: 5,
    });
    expect(scores.find((s) => s.module === 'client retry and transport')).toEqual({
      module: 'client retry and transport',
      detected: 0,
      counted: 1,
    });
  });
});
