import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ruleCodes } from '../src/rules/codes.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const clientPage = readFileSync(new URL('../docs/client.md', import.meta.url), 'utf8');

describe('README', () => {
  it('should start with the command of the main job and the test command', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstBlock).toContain('npm run conformance');
    expect(firstBlock).toContain('npm test');
    expect(readme.indexOf('```sh')).toBeLessThan(readme.indexOf('\n## '));
  });

  it('should carry the quick start exactly as examples/quick-start.ts runs it', () => {
    const example = readFileSync(new URL('./quick-start.ts', import.meta.url), 'utf8');
    expect(readme).toContain(example.split('\n').slice(1).join('\n'));
  });

  it.each(Object.keys(ruleCodes))(
    'should document the issue code %s in the rules table of docs/client.md',
    (code) => {
      const [family, name] = code.split('.');
      expect(
        clientPage.includes(`\`${code}\``) ||
          (clientPage.includes(`\`.${name ?? ''}\``) && clientPage.includes(`\`${family ?? ''}.`)),
      ).toBe(true);
    },
  );
});

describe('examples/quick-start.ts', () => {
  it('should run as written and print what the README says', () => {
    const output = execFileSync(process.execPath, ['--import', 'tsx', 'examples/quick-start.ts'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(output).toContain('false');
    expect(output).toContain("'url.scheme_not_https', 'url.ip_host'");
  });
});

describe('examples/receive-deliveries.ts', () => {
  it('should receive and verify a test delivery end to end', () => {
    const output = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'examples/receive-deliveries.ts'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    expect(output).toContain(
      'received WEBHOOK.TEST (a type this version does not know), upvest-v6',
    );
    expect(output).toContain('delivery answered 200');
  });
});
