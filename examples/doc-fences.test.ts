/**
 * Every code block of the README, CONTRIBUTING and docs/ is checked by what it is: each names
 * its language; JSON and YAML parse; shell is valid bash; and every `upvest-webhooks` command a
 * shell or text block shows exists, with only the flags its parser knows. TypeScript blocks are
 * compiled and run by doc-blocks.test.ts, shell blocks marked to run by shell-blocks.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { docPages, root } from './doc-pages.js';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { serverOptions } from '../conformance/cli/main.js';
import { receiverOptions } from '../conformance/cli/receiver.js';
import { runCli } from '../src/cli/main.js';

const pages = docPages({ withContributing: true });
const LANGUAGES = ['ts', 'sh', 'text', 'json', 'yaml', 'sql'] as const;

interface Fence {
  readonly name: string;
  readonly language: string;
  readonly code: string;
}

/** The fenced blocks of a page, in order, with the language each names. */
function fencesOf(page: string): Fence[] {
  const lines = readFileSync(path.join(root, page), 'utf8').split('\n');
  const fences: Fence[] = [];
  let open: { line: number; language: string; code: string[] } | undefined;
  lines.forEach((line, index) => {
    if (!line.startsWith('```')) {
      open?.code.push(line);
    } else if (open) {
      const { language, code } = open;
      fences.push({ name: `${page} line ${open.line}`, language, code: code.join('\n') });
      open = undefined;
    } else {
      open = { line: index + 1, language: line.slice(3).trim(), code: [] };
    }
  });
  if (open)
    fences.push({ name: `${page} line ${open.line} (never closed)`, language: '?', code: '' });
  return fences;
}

const fences = pages.flatMap(fencesOf);
const of = (language: string) =>
  fences
    .filter((fence) => fence.language === language)
    .map((fence) => [fence.name, fence] as const);

/** The flags each command's parser knows, read from its own help text (the table it parses with). */
async function flagsOf(command: string): Promise<Set<string>> {
  const out: string[] = [];
  await runCli([command, '--help'], {
    env: {},
    out: (text) => out.push(text),
    err: () => undefined,
  });
  return new Set([...out.join('\n').matchAll(/^\s+--([a-z-]+)/gm)].map((match) => match[1]!));
}

/** Every `upvest-webhooks …` invocation in a block: the command and the flags it passes. */
function invocations(code: string): { command: string; flags: string[]; line: string }[] {
  return code
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .flatMap((line) => {
      const match = /upvest-webhooks ([a-z]+)((?: [^|;&#]*)?)/.exec(line);
      if (!match) return [];
      const flags = [...(match[2] ?? '').matchAll(/(?:^|\s)--([a-z-]+)/g)].map((m) => m[1]!);
      return [{ command: match[1]!, flags, line: line.trim() }];
    });
}

describe('code blocks of the README, CONTRIBUTING and docs/', () => {
  it('should have blocks of every kind to check', () => {
    for (const language of ['ts', 'sh', 'json', 'yaml'])
      expect(of(language).length).toBeGreaterThan(0);
  });

  it.each(fences.map((fence) => [fence.name, fence] as const))(
    'should name the language of the block at %s',
    (_name, fence) => {
      expect(LANGUAGES).toContain(fence.language);
    },
  );

  it.each(of('json'))('should parse the JSON at %s', (_name, fence) => {
    expect(() => JSON.parse(fence.code) as unknown).not.toThrow();
  });

  it.each(of('yaml'))('should parse the YAML at %s', (_name, fence) => {
    expect(() => parseYaml(fence.code) as unknown).not.toThrow();
  });

  it.each(of('sh'))('should be valid bash at %s', (_name, fence) => {
    // `$ ` prompts mark a session transcript: the commands are what follows them.
    const script =
      fence.code.includes('\n$ ') || fence.code.startsWith('$ ')
        ? fence.code
            .split('\n')
            .filter((line) => line.startsWith('$ '))
            .map((line) => line.slice(2))
            .join('\n')
        : fence.code;
    const result = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  const shown = fences
    .filter((fence) => fence.language === 'sh' || fence.language === 'text')
    .flatMap((fence) => invocations(fence.code).map((call) => ({ ...call, where: fence.name })));

  it('should find the commands the docs show', () => {
    expect(shown.length).toBeGreaterThan(10);
  });

  it.each(shown.map((call) => [`${call.where}: ${call.line}`, call] as const))(
    'should show only commands and flags the CLI knows: %s',
    async (_name, call) => {
      if (call.command === 'conformance') {
        const receiver = /conformance receiver\b/.test(call.line);
        const known = new Set(Object.keys(receiver ? receiverOptions : serverOptions));
        for (const flag of call.flags) expect(known, `--${flag}`).toContain(flag);
        return;
      }
      const known = await flagsOf(call.command);
      expect(known.size, `upvest-webhooks ${call.command} is no command`).toBeGreaterThan(0);
      for (const flag of call.flags) expect(known, `--${flag}`).toContain(flag);
    },
  );
});
