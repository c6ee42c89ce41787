/** `generated/spec.ts`: the whole document as data. */
import { HEADER, type JsonObject } from './json.js';

export function buildSpecModule(document: JsonObject): string {
  return (
    HEADER +
    '// The whole OpenAPI document as data, so the conformance suite and the mock server can read\n' +
    '// its examples without a YAML parser at run time.\n\n' +
    `/** spec/openapi.yaml, parsed. Treat as read-only. */\nexport const openApiDocument: unknown = ${JSON.stringify(document, null, 2)};\n`
  );
}
