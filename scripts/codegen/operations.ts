/** The operations of the spec: their methods, schemas, scopes and parameters. */
import {
  asObject,
  asString,
  isObject,
  pascal,
  resolve,
  toJsonSchema,
  type Json,
  type JsonObject,
} from './json.js';

/** Header parameters the client's transport sets itself; callers never pass them. */
export const TRANSPORT_HEADERS = [
  'authorization',
  'signature',
  'signature-input',
  'upvest-client-id',
  'upvest-api-version',
] as const;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface OperationInfo {
  operationId: string;
  method: string;
  path: string;
  requestContentType: string | null;
  requestSchema: string | null;
  responses: { status: number; contentType: string | null; schema: string | null }[];
  scopes: string[][];
  queryParameters: string[];
  requiredHeaders: string[];
}

function schemaName(document: JsonObject, schema: Json | undefined): string | null {
  if (!isObject(schema)) return null;
  const ref = schema['$ref'];
  if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
    return ref.slice('#/components/schemas/'.length);
  }
  void document;
  return null;
}

/** JSON schemas of an operation's query and of its header parameters (names lower-cased). */
function parameterSchemas(
  parameters: JsonObject[],
  operationId: string,
): { query: JsonObject; headers: JsonObject } {
  const query: JsonObject = {
    type: 'object',
    additionalProperties: false,
    properties: {},
    required: [],
  };
  const headers: JsonObject = { type: 'object', properties: {}, required: [] };
  for (const parameter of parameters) {
    const name = asString(parameter['name'], `${operationId} parameter name`);
    const target =
      parameter['in'] === 'query' ? query : parameter['in'] === 'header' ? headers : null;
    if (!target) continue;
    const key = parameter['in'] === 'header' ? name.toLowerCase() : name;
    asObject(target['properties'], 'properties')[key] = toJsonSchema(parameter['schema'] ?? {});
    if (parameter['required'] === true) (target['required'] as Json[]).push(key);
  }
  return { query, headers };
}

function requestBodyOf(
  document: JsonObject,
  operation: JsonObject,
  operationId: string,
): Pick<OperationInfo, 'requestContentType' | 'requestSchema'> {
  let requestContentType: string | null = null;
  let requestSchema: string | null = null;
  if (operation['requestBody'] !== undefined) {
    const body = resolve(document, operation['requestBody'], `${operationId} requestBody`);
    const [contentType, media] = Object.entries(asObject(body['content'], 'content'))[0] ?? [];
    requestContentType = contentType ?? null;
    requestSchema = schemaName(document, isObject(media) ? media['schema'] : undefined);
  }
  return { requestContentType, requestSchema };
}

function responsesOf(
  document: JsonObject,
  operation: JsonObject,
  operationId: string,
): OperationInfo['responses'] {
  const responses: OperationInfo['responses'] = [];
  for (const [status, responseJson] of Object.entries(
    asObject(operation['responses'], 'responses'),
  )) {
    const response = resolve(document, responseJson, `${operationId} ${status}`);
    const content = isObject(response['content']) ? response['content'] : {};
    const [contentType, media] = Object.entries(content)[0] ?? [];
    responses.push({
      status: Number(status),
      contentType: contentType ?? null,
      schema: schemaName(document, isObject(media) ? media['schema'] : undefined),
    });
  }
  return responses;
}

/** The scopes of each security requirement, the operation's own or else the document's. */
function scopesOf(document: JsonObject, operation: JsonObject): string[][] {
  const security = Array.isArray(operation['security'])
    ? operation['security']
    : Array.isArray(document['security'])
      ? document['security']
      : [];
  return security.map((requirement) =>
    Object.values(asObject(requirement, 'security')).flatMap((list) =>
      Array.isArray(list) ? list.map(String) : [],
    ),
  );
}

export function collectOperations(document: JsonObject): {
  operations: OperationInfo[];
  querySchemas: Map<string, JsonObject>;
  headerSchemas: Map<string, JsonObject>;
} {
  const operations: OperationInfo[] = [];
  const querySchemas = new Map<string, JsonObject>();
  const headerSchemas = new Map<string, JsonObject>();
  const paths = asObject(document['paths'], 'paths');
  for (const [route, pathItemJson] of Object.entries(paths)) {
    const pathItem = asObject(pathItemJson, route);
    const shared = Array.isArray(pathItem['parameters']) ? pathItem['parameters'] : [];
    for (const method of HTTP_METHODS) {
      const operationJson = pathItem[method];
      if (operationJson === undefined) continue;
      const operation = asObject(operationJson, `${route}.${method}`);
      const operationId = operation['operationId'];
      if (typeof operationId !== 'string')
        throw new Error(`spec: ${method} ${route} needs an operationId`);
      const parameters = [
        ...shared,
        ...(Array.isArray(operation['parameters']) ? operation['parameters'] : []),
      ].map((parameter) => resolve(document, parameter, `${operationId} parameter`));

      const { query, headers } = parameterSchemas(parameters, operationId);
      querySchemas.set(`${pascal(operationId)}Query`, query);
      headerSchemas.set(`${pascal(operationId)}Headers`, headers);

      const { requestContentType, requestSchema } = requestBodyOf(document, operation, operationId);
      const responses = responsesOf(document, operation, operationId);
      const scopes = scopesOf(document, operation);

      operations.push({
        operationId,
        method: method.toUpperCase(),
        path: route,
        requestContentType,
        requestSchema,
        responses,
        scopes: scopes.filter((list) => list.length > 0),
        queryParameters: Object.keys(asObject(query['properties'], 'properties')),
        requiredHeaders: (headers['required'] as Json[]).map(String),
      });
    }
  }
  return { operations, querySchemas, headerSchemas };
}

/** A copy of the document without the transport headers, so generated call types omit them. */
export function withoutTransportHeaders(document: JsonObject): JsonObject {
  const copy = structuredClone(document);
  const isTransport = (parameter: Json): boolean => {
    const resolved = resolve(copy, parameter, 'parameter');
    return (
      resolved['in'] === 'header' &&
      (TRANSPORT_HEADERS as readonly string[]).includes(
        asString(resolved['name'], 'parameter name').toLowerCase(),
      )
    );
  };
  for (const pathItemJson of Object.values(asObject(copy['paths'], 'paths'))) {
    const pathItem = asObject(pathItemJson, 'path item');
    for (const key of ['parameters', ...HTTP_METHODS]) {
      const holder = key === 'parameters' ? pathItem : pathItem[key];
      if (!isObject(holder) || !Array.isArray(holder['parameters'])) continue;
      holder['parameters'] = holder['parameters'].filter((parameter) => !isTransport(parameter));
    }
  }
  return copy;
}
