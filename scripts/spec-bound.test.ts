/**
 * The promise of `generated/constants.ts`: a bound changes in spec/openapi.yaml and nowhere else.
 * A copy of the project gets a longer title limit in its spec, runs `npm run generate`'s script
 * and nothing more, and every consumer of the bound follows: the business rule (R9), the
 * client's schema validator, the embedded mock over HTTP and the CLI's help.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const copy = mkdtempSync(path.join(tmpdir(), 'upvest-webhooks-bound-'));
afterAll(() => rmSync(copy, { recursive: true, force: true }));

/** Runs in the copy after generation; prints what each consumer says about titles of n and n+1. */
const PROBE = `
import { validateCreateWebhook } from './src/index.js';
import { validateWebhookCreateRequest } from './generated/validators-client.js';
import { startMockServer } from './src/testing/index.js';
import { runCli } from './src/cli/main.js';

const limit = Number(process.argv[2]);
const body = (length) => ({ title: 'x'.repeat(length), url: 'https://example.com/hooks', type: ['ALL'] });
const rule = (length) => validateCreateWebhook(body(length)).ok;
const schema = (length) => validateWebhookCreateRequest(body(length));

// Plain fetch: the package's client would refuse the long title itself, before the mock sees it.
const mock = await startMockServer({ requestSignatures: 'off' });
const mockAccepts = async (length) => {
  const response = await fetch(mock.url + '/webhooks', {
    method: 'POST',
    headers: {
      authorization: 'Bearer ' + mock.issueToken(['webhooks:admin']),
      'upvest-client-id': mock.credentials.clientId,
      'upvest-api-version': '1',
      'content-type': 'application/json',
    },
    body: JSON.stringify(body(length)),
  });
  return response.status;
};
let help = '';
await runCli(['create', '--help'], { env: {}, out: (text) => { help += text; }, err: () => {} });
const result = {
  rule: [rule(limit), rule(limit + 1)],
  schema: [schema(limit), schema(limit + 1)],
  mock: [await mockAccepts(limit), await mockAccepts(limit + 1)],
  help: help.includes('at most ' + limit + ' characters'),
};
await mock.close();
console.log(JSON.stringify(result));
`;

describe('a bound changed in spec/openapi.yaml alone', () => {
  it('should reach the rule, the schema validator, the mock and the CLI help after generation', () => {
    for (const entry of ['spec', 'scripts', 'src', 'generated', 'package.json', 'tsconfig.json']) {
      cpSync(path.join(root, entry), path.join(copy, entry), { recursive: true });
    }
    symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
    const spec = path.join(copy, 'spec', 'openapi.yaml');
    const before = readFileSync(spec, 'utf8');
    const after = before.replace(
      /(WebhookTitle:\n(?:\s+\w+:.*\n)*?\s+maxLength: )100\n/,
      (_, head: string) => `${head}120\n`,
    );
    expect(after, 'the spec still states the title bound as maxLength: 100').not.toBe(before);
    writeFileSync(spec, after);

    const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
    execFileSync(tsx, ['scripts/generate.ts'], { cwd: copy, stdio: 'pipe' });
    writeFileSync(path.join(copy, 'probe.ts'), PROBE);
    const out = execFileSync(tsx, ['probe.ts', '120'], { cwd: copy, encoding: 'utf8' });

    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({
      rule: [true, false],
      schema: [true, false],
      mock: [201, 400],
      help: true,
    });
  }, 120_000);
});
