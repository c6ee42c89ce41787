import { readFile } from 'node:fs/promises';
import { UpvestConfigurationError } from './errors.js';

/**
 * The settings the command line (and the conformance suite) read from `UPVEST_*` variables;
 * secrets never come from flags.
 *
 * @example
 * ```ts
 * const { baseUrl, clientId }: EnvironmentSettings = await readEnvironment(process.env);
 * ```
 */
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
 * Reads the `UPVEST_*` variables shared by every command, `conformance` included, for scripts of
 * your own too: `UPVEST_BASE_URL`, `UPVEST_CLIENT_ID`, `UPVEST_CLIENT_SECRET`,
 * `UPVEST_ACCESS_TOKEN`, `UPVEST_KEY_ID`, and `UPVEST_PRIVATE_KEY` (PEM text) or
 * `UPVEST_PRIVATE_KEY_FILE` (a PEM file, read here). A key file
 * that cannot be read is a configuration error that names the variable and the reason (never
 * the file's content).
 *
 * @example
 * ```ts
 * const settings = await readEnvironment(process.env);
 * ```
 */
export async function readEnvironment(env: NodeJS.ProcessEnv): Promise<EnvironmentSettings> {
  return {
    baseUrl: env['UPVEST_BASE_URL'] || undefined,
    clientId: env['UPVEST_CLIENT_ID'] || undefined,
    clientSecret: env['UPVEST_CLIENT_SECRET'] || undefined,
    accessToken: env['UPVEST_ACCESS_TOKEN'] || undefined,
    keyId: env['UPVEST_KEY_ID'] || undefined,
    privateKey: env['UPVEST_PRIVATE_KEY'] || (await readKeyFile(env['UPVEST_PRIVATE_KEY_FILE'])),
  };
}

async function readKeyFile(file: string | undefined): Promise<string | undefined> {
  if (!file) return undefined;
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'a directory, not a file'
            : code;
    throw new UpvestConfigurationError(
      `UPVEST_PRIVATE_KEY_FILE names ${JSON.stringify(file)}, which cannot be read (${why})`,
    );
  }
}
