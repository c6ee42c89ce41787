/** `generated/constants.ts`: the facts of the spec as runtime values. */
import { asObject, asString, HEADER, resolve, type Json, type JsonObject } from './json.js';
import type { OperationInfo } from './operations.js';

function numberAt(schema: JsonObject, keyword: string, where: string): number {
  const value = schema[keyword];
  if (typeof value !== 'number') throw new Error(`spec: ${where} has no numeric ${keyword}`);
  return value;
}

/** A property's schema of a component schema, `$ref`s followed. */
function property(schemas: JsonObject, schema: string, name: string): JsonObject {
  const properties = asObject(
    asObject(schemas[schema], schema)['properties'],
    `${schema}.properties`,
  );
  return asObject(properties[name], `${schema}.${name}`);
}

/**
 * The bounds the business rules enforce, each from the one place the spec states it. R5's
 * documented range of `delay` is the `x-documented-seconds` extension: the schema's pattern is the
 * wider 1.9.0 one, which the `spec` delay policy still accepts.
 */
function webhookLimitsOf(schemas: JsonObject): Json {
  const packageSize = property(schemas, 'WebhookConfig', 'max_package_size');
  const delaySeconds = asObject(
    property(schemas, 'WebhookConfig', 'delay')['x-documented-seconds'],
    'WebhookConfig.delay.x-documented-seconds',
  );
  if (delaySeconds['minimum'] !== 1) {
    // checkDelay has no below-minimum code: the pattern's lowest value, 1, is the minimum.
    throw new Error('spec: x-documented-seconds.minimum other than 1 needs a rule of its own');
  }
  return {
    titleMaxLength: numberAt(
      asObject(schemas['WebhookTitle'], 'WebhookTitle'),
      'maxLength',
      'WebhookTitle',
    ),
    urlMaxLength: numberAt(
      asObject(schemas['WebhookUrl'], 'WebhookUrl'),
      'maxLength',
      'WebhookUrl',
    ),
    maxPackageSize: {
      minimum: numberAt(packageSize, 'minimum', 'max_package_size'),
      maximum: numberAt(packageSize, 'maximum', 'max_package_size'),
    },
    delaySeconds: {
      minimum: numberAt(delaySeconds, 'minimum', 'x-documented-seconds'),
      maximum: numberAt(delaySeconds, 'maximum', 'x-documented-seconds'),
    },
  };
}

function oauthScopesOf(document: JsonObject): JsonObject {
  const schemes = asObject(
    asObject(document['components'], 'components')['securitySchemes'],
    'securitySchemes',
  );
  const flows = asObject(
    asObject(schemes['oauthClientCredentials'], 'oauthClientCredentials')['flows'],
    'flows',
  );
  return asObject(asObject(flows['clientCredentials'], 'clientCredentials')['scopes'], 'scopes');
}

/** The version a client sends: the header parameter's default, refused unless its enum offers it. */
function apiVersionOf(parameters: JsonObject): string {
  const schema = asObject(
    asObject(parameters['UpvestApiVersion'], 'UpvestApiVersion')['schema'],
    'UpvestApiVersion schema',
  );
  const version = asString(schema['default'], 'UpvestApiVersion default');
  const offered = schema['enum'];
  if (!Array.isArray(offered) || !offered.includes(version)) {
    throw new Error(`spec: UpvestApiVersion's default ${version} is not in its enum`);
  }
  return version;
}

function enumOf(schema: Json | undefined, where: string): Json[] {
  const values = asObject(schema, where)['enum'];
  if (!Array.isArray(values)) throw new Error(`spec: ${where} has no enum`);
  return values;
}

function constant(doc: string, name: string, value: Json): string {
  return `/** ${doc} */\nexport const ${name} = ${JSON.stringify(value, null, 2)} as const;\n`;
}

function serverUrlsOf(document: JsonObject): string[] {
  return (Array.isArray(document['servers']) ? document['servers'] : []).map((server) =>
    asString(asObject(server, 'server')['url'], 'server url'),
  );
}

/** The `type` enum of every `WebhookEvent.oneOf` schema, in the order of the spec. */
function eventTypesOf(document: JsonObject, schemas: JsonObject): Json[] {
  const eventSchemas = asObject(schemas['WebhookEvent'], 'WebhookEvent')['oneOf'];
  return (Array.isArray(eventSchemas) ? eventSchemas : []).flatMap((ref) => {
    const schema = resolve(document, ref, 'WebhookEvent.oneOf');
    const type = asObject(asObject(schema['properties'], 'event properties')['type'], 'event type');
    return enumOf(type, 'event type');
  });
}

/** Event types grouped by their category, the part before the first dot. */
function byCategoryOf(eventTypes: Json[]): Record<string, Json[]> {
  const byCategory: Record<string, Json[]> = {};
  for (const type of eventTypes) {
    const category = asString(type, 'event type').split('.')[0] ?? '';
    (byCategory[category] ??= []).push(type);
  }
  return byCategory;
}

export function buildConstants(document: JsonObject, operations: OperationInfo[]): string {
  const schemas = asObject(asObject(document['components'], 'components')['schemas'], 'schemas');
  const parameters = asObject(
    asObject(document['components'], 'components')['parameters'],
    'parameters',
  );
  const servers = serverUrlsOf(document);
  const eventTypes = eventTypesOf(document, schemas);
  const byCategory = byCategoryOf(eventTypes);
  return [
    HEADER,
    constant(
      "The bounds of a webhook's fields (R5, R6, R9 and the URL's length), read from the spec: the rules, the CLI help and the conformance boundary cases use these, so a bound changes in spec/openapi.yaml alone.",
      'webhookLimits',
      webhookLimitsOf(schemas),
    ),
    constant(
      'The 1.9.0 schema pattern of `config.delay` (1 to 99, seconds or minutes); R5 narrows it to `webhookLimits.delaySeconds`.',
      'webhookDelayPattern',
      asString(property(schemas, 'WebhookConfig', 'delay')['pattern'], 'delay pattern'),
    ),
    constant(
      "The OAuth2 scopes of the spec's client-credentials flow.",
      'oauthScopes',
      Object.keys(oauthScopesOf(document)),
    ),
    constant(
      'The longest `client_secret` of a token request, in characters.',
      'clientSecretMaxLength',
      numberAt(property(schemas, 'TokenRequest', 'client_secret'), 'maxLength', 'client_secret'),
    ),
    constant(
      'Every documented event type of a delivery, in the order of the spec.',
      'webhookEventTypes',
      eventTypes,
    ),
    constant(
      'The documented event types of each category (PORTFOLIO and CORPORATE_ACTION have none).',
      'webhookEventTypesByCategory',
      byCategory,
    ),
    constant(
      'Every webhook event category of `WebhookCategory`, in the order of the spec.',
      'webhookCategories',
      enumOf(schemas['WebhookCategory'], 'WebhookCategory'),
    ),
    constant(
      'Fields `GET /webhooks` can sort by.',
      'webhookSortFields',
      enumOf(asObject(parameters['Sort'], 'Sort')['schema'], 'Sort'),
    ),
    constant(
      'Sort directions of `GET /webhooks`.',
      'sortOrders',
      enumOf(asObject(parameters['Order'], 'Order')['schema'], 'Order'),
    ),
    constant(
      "The `upvest-api-version` every request sends: the default of the spec's header parameter, which must be one of its enum values.",
      'upvestApiVersion',
      apiVersionOf(parameters),
    ),
    constant('The API servers of the spec: sandbox first, then live.', 'serverUrls', servers),
    constant(
      'Every operation of the spec: method, path, request body, documented responses, scopes.',
      'operations',
      Object.fromEntries(
        operations.map((operation) => [operation.operationId, operation as unknown as Json]),
      ),
    ),
    `/** The id of an operation of the spec. */\nexport type OperationId = keyof typeof operations;\n`,
  ].join('\n');
}
