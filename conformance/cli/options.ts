/**
 * The suite's commands take their options from one table each, in the shape of the package's
 * own CLI (src/cli/commands.ts): the parser, the help text, the environment variables and the
 * documented defaults all come from it, so none can drift from another (a test runs each
 * documented default against the behaviour).
 */
import { parseArgs } from 'node:util';

/**
 * One option of a command.
 *
 * @example
 * ```ts
 * const junit: OptionSpec = {
 *   type: 'string',
 *   value: 'file',
 *   description: 'JUnit XML report',
 *   env: 'CONFORMANCE_JUNIT',
 *   default: 'reports/conformance.junit.xml',
 * };
 * ```
 */
interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** The value's placeholder in the help (`--junit <file>`). */
  readonly value?: string;
  readonly description: string;
  /** The environment variable that sets it when the flag is absent (a boolean: 1, true, yes, on). */
  readonly env?: string;
  /** The default, as the help prints it and the command applies it. */
  readonly default?: string;
  /** Another flag for the same switch (`--spec-mock` for `--prefer-header`). */
  readonly alias?: string;
}

/**
 * A command's options, by flag name.
 *
 * @example
 * ```ts
 * const table: OptionTable = { verbose: { type: 'boolean', description: 'list every check' } };
 * ```
 */
export type OptionTable = Readonly<Record<string, OptionSpec>>;

/** The values of a parsed command line: flags, then environment, then defaults. */
export type OptionValues = Readonly<Record<string, string | boolean | undefined>>;

/**
 * A command line that is wrong: the message says what to fix, and the command exits 2 with its
 * help.
 *
 * @example
 * ```ts
 * throw new UsageError('--timeout takes a whole number, not soon');
 * ```
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const TRUE = /^(1|true|yes|on)$/i;

/**
 * Parses `args` with the table: a flag wins over its environment variable, which wins over the
 * default. Throws a {@link UsageError} for an unknown flag or a missing value.
 *
 * @example
 * ```ts
 * parseOptions(['--verbose'], { verbose: { type: 'boolean', description: '…' } }, {}).verbose; // true
 * ```
 */
export function parseOptions(
  args: readonly string[],
  table: OptionTable,
  env: NodeJS.ProcessEnv,
): OptionValues {
  const options = Object.fromEntries(
    Object.entries(table).flatMap(([name, spec]) => [
      [name, { type: spec.type }],
      ...(spec.alias ? [[spec.alias, { type: spec.type }]] : []),
    ]),
  ) as Record<string, { type: 'string' | 'boolean' }>;
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...args], options, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const resolved: Record<string, string | boolean | undefined> = {};
  for (const [name, spec] of Object.entries(table)) {
    const flag = values[name] ?? (spec.alias ? values[spec.alias] : undefined);
    const fromEnv = spec.env === undefined ? undefined : env[spec.env] || undefined;
    resolved[name] =
      flag ??
      (fromEnv === undefined
        ? undefined
        : spec.type === 'boolean'
          ? TRUE.test(fromEnv.trim())
          : fromEnv) ??
      (spec.type === 'boolean' ? false : spec.default);
  }
  return resolved;
}

/**
 * The options part of a help text, one line per option (two when it needs them), with its
 * environment variable in brackets and its default.
 *
 * @example
 * ```ts
 * optionsHelp({ verbose: { type: 'boolean', description: 'list every check' } });
 * // '  --verbose              list every check' (longer texts wrap at 100 characters)
 * ```
 */
export function optionsHelp(table: OptionTable): string {
  return Object.entries(table)
    .map(([name, spec]) => {
      const flag = `--${name}${spec.value ? ` <${spec.value}>` : ''}`;
      const extras = [
        spec.default === undefined ? '' : ` (default ${spec.default})`,
        spec.env === undefined ? '' : ` [${spec.env}]`,
        spec.alias === undefined ? '' : ` (--${spec.alias} is the same)`,
      ].join('');
      const lines = wrap(`${spec.description}${extras}`, HELP_WIDTH - 25);
      const first = flag.length < 22 ? `  ${flag.padEnd(22)} ${lines.shift() ?? ''}` : `  ${flag}`;
      return [first, ...lines.map((line) => `${' '.repeat(25)}${line}`)].join('\n');
    })
    .join('\n');
}

/** Help lines are at most this wide, as the package's own help texts. */
const HELP_WIDTH = 100;

/** Words into lines of at most `width` characters (a longer word stands alone). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && `${line} ${word}`.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

/**
 * A whole number from an option, or undefined when it is not set.
 *
 * @example
 * ```ts
 * wholeNumber('timeout', '30000'); // 30000
 * ```
 */
export function wholeNumber(name: string, value: string | boolean | undefined): number | undefined {
  if (value === undefined || typeof value === 'boolean') return undefined;
  if (!/^-?\d+$/.test(value)) throw new UsageError(`--${name} takes a whole number, not ${value}`);
  return Number(value);
}

/**
 * Where the command writes; the process's console by default, a buffer in tests.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * await main(['--profile', 'negative'], process.env, { out: (t) => lines.push(t), err: (t) => lines.push(t) });
 * ```
 */
export interface ConformanceCliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}
