import { webhookDelayPattern, webhookLimits } from '../../generated/constants.js';

const { delaySeconds, maxPackageSize } = webhookLimits;

/**
 * Where a rule comes from: a business rule of Upvest's documentation (R1–R9, numbered as in our
 * facts sheet and docs/client.md) or the OpenAPI schema itself (`schema`).
 *
 * @example
 * ```ts
 * const source: RuleSource = ruleCodes['url.too_long'].rule; // 'schema'
 * ```
 */
export type RuleSource = 'R1' | 'R2' | 'R3' | 'R4' | 'R5' | 'R6' | 'R7' | 'R8' | 'R9' | 'schema';

/**
 * Every issue code the business rules emit, with the documented rule it enforces. Codes are
 * stable API: callers switch on them. The rules table of `docs/client.md` and `docs/rules.md` are this
 * catalogue.
 *
 * @example
 * ```ts
 * ruleCodes['url.ip_host'].rule; // 'R2'
 * Object.keys(ruleCodes).filter((code) => code.startsWith('delay.'));
 * ```
 */
export const ruleCodes = {
  'url.not_a_string': { rule: 'schema', description: 'the URL is not a string' },
  'url.too_long': {
    rule: 'schema',
    description: `the URL is longer than ${webhookLimits.urlMaxLength} characters (code points, as JSON Schema counts)`,
  },
  'url.whitespace_or_control': {
    rule: 'R1',
    description:
      'the URL contains white space, control or invisible characters a parser would silently drop',
  },
  'url.malformed': {
    rule: 'schema',
    description:
      'the URL is not an absolute URL written scheme://host/..., or it names port 0, or it is not well-formed Unicode',
  },
  'url.scheme_not_https': { rule: 'R1', description: 'the scheme is not https' },
  'url.userinfo': { rule: 'R1', description: 'the URL carries a user name or password' },
  'url.fragment': { rule: 'R1', description: 'the URL has a #fragment, which HTTP never sends' },
  'url.ip_host': { rule: 'R2', description: 'the host is an IP address, in any spelling' },
  'url.single_label_host': {
    rule: 'R2',
    description: 'the host is a single label such as localhost, not a public DNS name',
  },
  'url.reserved_host': {
    rule: 'R2',
    description:
      'the host is under a name that never resolves publicly (.localhost, .local, .internal, .invalid, .home.arpa, .onion, .alt)',
  },
  'url.invalid_host': {
    rule: 'R2',
    description: 'the host is not a well-formed DNS name (labels of 1–63 letters, digits, hyphens)',
  },
  'delay.not_a_string': { rule: 'schema', description: 'delay is not a string' },
  'delay.malformed': {
    rule: 'R5',
    description: `delay is not <number><unit> as the spec pattern ${webhookDelayPattern} requires`,
  },
  'delay.minutes_unit': {
    rule: 'R5',
    description: 'delay is in minutes: the spec pattern allows it, the documentation does not',
  },
  'delay.above_maximum': {
    rule: 'R5',
    description: `delay is above ${delaySeconds.maximum}s: the spec pattern allows it, the documentation does not`,
  },
  'max_package_size.not_an_integer': {
    rule: 'R6',
    description: 'max_package_size is not a whole number of bytes',
  },
  'max_package_size.below_minimum': {
    rule: 'R6',
    description: `max_package_size is below ${maxPackageSize.minimum} bytes`,
  },
  'max_package_size.above_maximum': {
    rule: 'R6',
    description: `max_package_size is above ${maxPackageSize.maximum} bytes`,
  },
  'type.not_an_array': { rule: 'R7', description: 'type is not a list of categories' },
  'type.empty': { rule: 'R7', description: 'type lists no category; use ["ALL"] for every event' },
  'type.unknown_category': {
    rule: 'R7',
    description: 'type lists a category the API does not know',
  },
  'type.duplicate_category': { rule: 'R7', description: 'type lists a category twice' },
  'type.all_with_others': {
    rule: 'R7',
    description: 'type combines ALL with other categories, which ALL already includes',
  },
  'title.not_a_string': { rule: 'R9', description: 'title is not a string' },
  'title.too_long': {
    rule: 'R9',
    description: `title is longer than ${webhookLimits.titleMaxLength} characters`,
  },
} as const satisfies Record<string, { rule: RuleSource; description: string }>;

/**
 * A stable issue code of the business rules.
 *
 * @example
 * ```ts
 * const code: RuleCode = 'delay.above_maximum';
 * ```
 */
export type RuleCode = keyof typeof ruleCodes;
