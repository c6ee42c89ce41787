import { readFile } from 'node:fs/promises';

/** What the command line reads from the environment; secrets never come from flags. */
export interface EnvironmentSettings {
  readonly baseUrl: string | undefined;
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  readonly accessToken: string | undefined;
  readonly keyId: string | undefined;
  /** PEM text, from `UPVEST_PRIVATE_KEY` or the file `UPVEST_PRIVATE_KEY_FILE` names. */
  readonly privateKey: string | undefined;
}

/**
 * Reads the `UPVEST_*` variables shared by every command, `conformance` included.
 *
 * @example
 * ```ts
 * const settings = await readEnvironment(process.env);
 * ```
 */
export async function readEnvironment(env: NodeJS.ProcessEnv): Promise<EnvironmentSettings> {
  const file = env['UPVEST_PRIVATE_KEY_FILE'];
  return {
    baseUrl: env['UPVEST_BASE_URL'] || undefined,
    clientId: env['UPVEST_CLIENT_ID'] || undefined,
    clientSecret: env['UPVEST_CLIENT_SECRET'] || undefined,
    accessToken: env['UPVEST_ACCESS_TOKEN'] || undefined,
    keyId: env['UPVEST_KEY_ID'] || undefined,
    privateKey: env['UPVEST_PRIVATE_KEY'] || (file ? await readFile(file, 'utf8') : undefined),
  };
}
