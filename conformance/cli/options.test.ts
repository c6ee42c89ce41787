import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { serverOptions, serverUsage } from './main.js';
import { optionsHelp, parseOptions, UsageError, wholeNumber, type OptionTable } from './options.js';
import { receiverOptions } from './receiver.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const table = {
  name: { type: 'string', description: 'a name', env: 'NAME', default: 'anon' },
  loud: { type: 'boolean', description: 'shout', env: 'LOUD', alias: 'shout' },
} as const satisfies OptionTable;

describe('parseOptions', () => {
  it.each([
    ['the default when nothing sets it', [], {}, { name: 'anon', loud: false }],
    [
      'the environment over the default',
      [],
      { NAME: 'env', LOUD: 'yes' },
      { name: 'env', loud: true },
    ],
    ['a flag over the environment', ['--name', 'flag'], { NAME: 'env' }, { name: 'flag' }],
    ['an alias as the flag', ['--shout'], {}, { loud: true }],
    ['an empty variable as unset', [], { NAME: '' }, { name: 'anon' }],
    ['a variable that is no yes as false', [], { LOUD: 'nope' }, { loud: false }],
  ])('should take %s', (_name, args, env, expected) => {
    expect(parseOptions(args, table, env)).toMatchObject(expected);
  });

  it.each([
    ['an unknown flag', ['--colour']],
    ['a flag without its value', ['--name']],
    ['a positional argument', ['stray']],
  ])('should refuse %s as a usage error', (_name, args) => {
    expect(() => parseOptions(args, table, {})).toThrow(UsageError);
  });

  it('should read whole numbers and refuse anything else', () => {
    expect(wholeNumber('timeout', '30000')).toBe(30000);
    expect(wholeNumber('timeout', undefined)).toBeUndefined();
    expect(() => wholeNumber('timeout', 'soon')).toThrow(
      '--timeout takes a whole number, not soon',
    );
  });
});

describe('the help texts', () => {
  it.each([
    ['conformance', serverOptions],
    ['conformance receiver', receiverOptions],
  ] as const)('should name every option of %s with its variable and default', (_name, options) => {
    const help = optionsHelp(options);
    for (const [flag, spec] of Object.entries(options) as [string, OptionTable[string]][]) {
      expect(help).toContain(`--${flag}`);
      if (spec.env) expect(help).toContain(`[${spec.env}]`);
      // Defaults may wrap at a line end: compare with white space folded.
      if (spec.default) expect(help.replace(/\s+/g, ' ')).toContain(`(default ${spec.default})`);
    }
    expect(Math.max(...help.split('\n').map((line) => line.length))).toBeLessThanOrEqual(100);
  });
});

describe('the documented defaults, as the command applies them', () => {
  it('should write the reports where the help says, and fuzz as many inputs as it says', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'conformance-defaults-'));
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          // tsx by path: the temp folder has no node_modules to resolve it from.
          '--import',
          pathToFileURL(path.join(root, 'node_modules/tsx/dist/loader.mjs')).href,
          path.join(root, 'bin/upvest-webhooks.ts'),
          'conformance',
          '--profile',
          'fuzz',
          '--verbose',
        ],
        { cwd, env: { ...process.env, NODE_OPTIONS: '' } },
      );
      const reports = path.dirname(serverOptions.junit.default);
      expect((await readdir(path.join(cwd, reports))).sort()).toEqual(
        [serverOptions.json.default, serverOptions.junit.default]
          .map((f) => path.basename(f))
          .sort(),
      );
      // Each fuzz property's check names how many inputs it drew.
      expect(stdout).toMatch(
        new RegExp(`\\b${serverOptions['max-examples'].default} inputs, seed`),
      );
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the docs', () => {
  it('should show the help of conformance as the command prints it', () => {
    const docs = readFileSync(path.join(root, 'docs/conformance.md'), 'utf8');
    const block = /<!-- conformance --help -->\s*```text\n([\s\S]*?)\n```/.exec(docs)?.[1];
    expect(block).toBe(serverUsage);
  });
});
