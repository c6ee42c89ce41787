/**
 * `npm run conformance` / `upvest-webhooks conformance`: runs the conformance suite and writes
 * its reports. Without a base URL it starts the embedded mock; with one it tests that server.
 * Exits 0 when every check passed, 1 when any failed, 2 on a usage error.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readEnvironment } from '../src/cli/environment.js';
import { createUpvestSigner } from '../src/signing/upvest-profile.js';
import { serverProfiles, type ServerProfile } from './model.js';
import { toJUnitXml, toJson, toSummary } from './reports.js';
import { runConformance } from './run.js';

const USAGE = `Usage: conformance [options]

Runs the upvest-webhooks conformance suite. Without --base-url it starts the embedded mock.

Options (environment variable in brackets):
  --base-url <url>       server to test [UPVEST_BASE_URL]
  --profile <list>       comma-separated: replay,lifecycle,negative,enforcement [CONFORMANCE_PROFILES]
  --spec-mock            the target answers with spec examples (Prism): send Prefer headers
  --junit <file>         JUnit XML report (default reports/conformance.junit.xml)
  --json <file>          JSON report (default reports/conformance.json)
  --help                 this text
Credentials come from the environment only: UPVEST_CLIENT_ID with UPVEST_CLIENT_SECRET
(exchanged for a token at POST /auth/token) or UPVEST_ACCESS_TOKEN; requests are signed with
UPVEST_KEY_ID and UPVEST_PRIVATE_KEY (PEM text) or UPVEST_PRIVATE_KEY_FILE (a PEM file).`;

export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        'base-url': { type: 'string' },
        profile: { type: 'string' },
        'spec-mock': { type: 'boolean', default: false },
        junit: { type: 'string', default: 'reports/conformance.junit.xml' },
        json: { type: 'string', default: 'reports/conformance.json' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const profileList = (values.profile ?? env['CONFORMANCE_PROFILES'] ?? serverProfiles.join(','))
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const unknown = profileList.filter((p) => !(serverProfiles as readonly string[]).includes(p));
  if (unknown.length > 0) {
    console.error(
      `unknown profile ${unknown.join(', ')}; choose from ${serverProfiles.join(', ')}\n\n${USAGE}`,
    );
    return 2;
  }
  const settings = await readEnvironment(env);
  const baseUrl = values['base-url'] ?? settings.baseUrl;
  const { clientId, clientSecret, accessToken, keyId, privateKey } = settings;
  if (baseUrl && !clientId) {
    console.error(
      'UPVEST_CLIENT_ID is required with --base-url (and UPVEST_CLIENT_SECRET or UPVEST_ACCESS_TOKEN)',
    );
    return 2;
  }
  if (baseUrl && (privateKey === undefined) !== (keyId === undefined)) {
    console.error('UPVEST_KEY_ID and UPVEST_PRIVATE_KEY (or UPVEST_PRIVATE_KEY_FILE) go together');
    return 2;
  }
  const report = await runConformance({
    ...(privateKey && keyId ? { signer: createUpvestSigner({ keyId, privateKey }) } : {}),
    ...(baseUrl ? { baseUrl } : {}),
    profiles: profileList as ServerProfile[],
    specMock: values['spec-mock'],
    ...(clientId
      ? {
          credentials: {
            clientId,
            ...(clientSecret ? { clientSecret } : {}),
            ...(accessToken ? { accessToken } : {}),
          },
        }
      : {}),
  });
  for (const [file, text] of [
    [values.junit, toJUnitXml(report)],
    [values.json, toJson(report)],
  ] as const) {
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await writeFile(file, text);
  }
  console.log(toSummary(report));
  console.log(`\nReports: ${values.junit}, ${values.json}`);
  return report.passed ? 0 : 1;
}

if (
  process.argv[1] &&
  import.meta.url === new URL(`file://${path.resolve(process.argv[1])}`).href
) {
  process.exitCode = await main(process.argv.slice(2));
}
