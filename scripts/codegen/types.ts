/** `generated/openapi.ts`: the spec's types, by openapi-typescript. */
import openapiTS, { astToString } from 'openapi-typescript';
import { HEADER, type JsonObject } from './json.js';
import { TRANSPORT_HEADERS, withoutTransportHeaders } from './operations.js';

export async function buildTypes(document: JsonObject): Promise<string> {
  const ast = await openapiTS(withoutTransportHeaders(document) as never, {
    exportType: false,
    alphabetize: false,
    defaultNonNullable: false,
  });
  return (
    HEADER +
    '// Header parameters the client sets itself (' +
    TRANSPORT_HEADERS.join(', ') +
    ') are left out of the operation types.\n\n' +
    astToString(ast)
  );
}
