/**
 * The architecture, checked (`npm run lint:deps`, part of `npm test`): spec -> generated ->
 * src -> conformance -> bin, and inside src the layers below, each importing only from layers
 * before it. CONTRIBUTING.md draws the same picture.
 *
 * Tests, type tests, test fixtures and test support (the suite's self-test and its fault sets
 * included) may import anything.
 */

/** src's layers, lowest first: a module may import from its own layer and those before it. */
const layers = [
  // The kernel: errors, shared types, the validation issue, the package version.
  ['^src/[^/]+\\.ts$', '^generated/'],
  ['^src/wire/'],
  ['^src/signing/'],
  ['^src/rules/'],
  ['^src/validation/'],
  ['^src/receiver/'],
  ['^src/auth/'],
  ['^src/client/'],
  ['^src/probe/'],
  ['^src/testing/'],
  ['^src/postgres/'],
  ['^src/cli/'],
  // The OpenTelemetry adapter (upvest-webhooks/telemetry) sits on top: the package reports to the
  // seam in src/wire/telemetry.ts and never loads the adapter or @opentelemetry/api itself.
  ['^src/telemetry/'],
];
const TESTS =
  '(\\.test\\.ts|\\.test-d\\.ts)$|^src/test-support/|/fixtures/|^conformance/self-test/';
const ENTRY = '^src/index\\.ts$';

const upward = layers.flatMap((lower, index) =>
  layers.slice(index + 1).map((higher) => ({
    name: `layer-${index}-imports-upward`,
    comment: `${lower.join(' ')} must not import from the higher layer ${higher.join(' ')}`,
    severity: 'error',
    from: { path: lower.join('|'), pathNot: `${TESTS}|${ENTRY}` },
    to: { path: higher.join('|') },
  })),
);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...upward,
    {
      name: 'generated-stays-generated',
      comment: 'generated/ is made from spec/ and imports nothing of ours above it',
      severity: 'error',
      from: { path: '^generated/' },
      to: { path: '^(src|conformance|scripts)/' },
    },
    {
      name: 'src-below-conformance',
      severity: 'error',
      from: { path: '^src/', pathNot: TESTS },
      to: { path: '^(conformance|scripts|bench|examples)/' },
    },
    {
      name: 'conformance-uses-public-entries',
      comment:
        'the suite tests the package as a user gets it: through its entries, never its internals',
      severity: 'error',
      from: { path: '^conformance/', pathNot: TESTS },
      to: {
        path: '^src/',
        pathNot: '^src/(index|receiver/index|signing/index|testing/index|postgres/index)\\.ts$',
      },
    },
    {
      name: 'inspector-only-behind-the-mock',
      comment:
        "the mock's inspector page (src/testing/inspector/) is reached only from the mock server and the mock command, never from an entry: the package's main entry gains nothing from it",
      severity: 'error',
      from: {
        path: '^(src|conformance|bin)/',
        pathNot: `${TESTS}|^src/testing/(mock-server\\.ts|inspector/)|^src/cli/mock-command\\.ts$`,
      },
      to: { path: '^src/testing/inspector/' },
    },
    {
      name: 'only-the-bin-joins-cli-and-suite',
      comment: 'bin/ sits above src/ and conformance/; nothing below it imports it',
      severity: 'error',
      from: { pathNot: '^bin/' },
      to: { path: '^bin/' },
    },
    {
      name: 'openapi-fetch-only-in-transport',
      comment: 'openapi-fetch is in maintenance mode upstream: one file may know it',
      severity: 'error',
      from: { pathNot: '^src/client/transport\\.ts$' },
      to: { path: 'node_modules/openapi-fetch/' },
    },
    {
      name: 'opentelemetry-only-in-its-entry',
      comment:
        '@opentelemetry/api is an optional peer: only the upvest-webhooks/telemetry entry loads it',
      severity: 'error',
      from: { path: '^(src|conformance|bin)/', pathNot: `${TESTS}|^src/telemetry/` },
      to: { path: 'node_modules/@opentelemetry/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'pg-not-at-run-time',
      comment:
        "the inbox takes the user's pool; pg is an optional peer, loaded only by tests and by the CLI's inbox command (a dynamic import, when it runs)",
      severity: 'error',
      from: { path: '^src/', pathNot: `${TESTS}|^src/cli/inbox-command\\.ts$` },
      to: { path: 'node_modules/pg/', dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
