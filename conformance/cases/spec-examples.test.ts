import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../generated/spec.js';
import {
  collectExamples,
  collectReplayCases,
  exampleDrift,
  pairDrift,
  type ReplayCase,
  type SpecExample,
} from './spec-examples.js';

type Node = Record<string, unknown>;
const at = (node: unknown, ...keys: string[]): Node =>
  keys.reduce((current, key) => (current as Node)[key], node) as Node;
const copy = () => structuredClone<unknown>(openApiDocument) as Node;
const find = (cases: readonly ReplayCase[], operationId: string, name: string) =>
  cases.find((c) => c.operationId === operationId && c.name === name);

describe('collectExamples', () => {
  it('should find every named example of the spec: bodies, path parameters, responses, deliveries', () => {
    const examples = collectExamples(openApiDocument);
    const where = (e: SpecExample) => `${e.operationId} ${e.location} ${e.name}`;

    expect(examples.map(where)).toEqual(
      expect.arrayContaining([
        'create_webhook request body user_webhook_docs',
        'create_webhook response 201 user_webhook_docs',
        'retrieve_webhook parameter webhook_id unknown_webhook',
        'retrieve_webhook response 404 unknown_webhook',
        'update_webhook request body enable',
        'issue_token request body client_credentials',
        'receive_delivery request body user_created',
      ]),
    );
    // The path parameter is declared once on the path item and counts for each operation.
    expect(examples.filter((e) => e.location === 'parameter webhook_id')).toHaveLength(8);
    expect(new Set(examples.map(where)).size).toBe(examples.length);
  });

  it('should name the schema each example documents', () => {
    const examples = collectExamples(openApiDocument);
    const schemaOf = (operationId: string, location: string) =>
      examples.find((e) => e.operationId === operationId && e.location === location)?.schema;

    expect(schemaOf('create_webhook', 'request body')).toBe('WebhookCreateRequest');
    expect(schemaOf('list_webhooks', 'response 200')).toBe('WebhookList');
    expect(schemaOf('retrieve_webhook', 'response 404')).toBe('Problem');
    expect(schemaOf('retrieve_webhook', 'parameter webhook_id')).toBeUndefined();
  });
});

describe('collectReplayCases', () => {
  const cases = collectReplayCases(openApiDocument);

  it('should pair a path parameter example with the error response of the same name', () => {
    expect(find(cases, 'retrieve_webhook', 'unknown_webhook')).toMatchObject({
      pathParams: { webhook_id: '00000000-0000-4000-8000-000000000000' },
      paramExample: 'unknown_webhook',
      expectedStatus: 404,
      responseExample: 'unknown_webhook',
      expectedBody: { type: 'not_found', status: 404 },
    });
  });

  it('should pair a request body with the response of the same name', () => {
    expect(find(cases, 'create_webhook', 'user_webhook_spec')).toMatchObject({
      bodyExample: 'user_webhook_spec',
      expectedStatus: 201,
      responseExample: 'user_webhook_spec',
      expectedBody: { config: { delay: '5s', max_package_size: 10240 }, enabled: false },
    });
  });

  it('should send a body example with the documented webhook id when the body has no parameter of its name', () => {
    expect(find(cases, 'update_webhook', 'enable')).toMatchObject({
      body: { enabled: true },
      bodyExample: 'enable',
      pathParams: { webhook_id: 'a8eb3540-5a84-40f9-b2bb-7f99f282fc5a' },
      paramExample: 'documented_webhook',
      expectedStatus: 200,
    });
    expect(find(cases, 'update_webhook', 'unknown_webhook')).toMatchObject({
      bodyExample: 'documented_webhook',
      expectedStatus: 404,
    });
  });

  it('should expect the documented success, without an example, for a response that has no body', () => {
    expect(find(cases, 'delete_webhook', 'documented_webhook')).toMatchObject({
      expectedStatus: 204,
      responseExample: undefined,
      expectedBody: undefined,
    });
    expect(find(cases, 'test_webhook', 'documented_webhook')?.expectedStatus).toBe(202);
  });

  it('should replay the success examples of an operation that takes no request example', () => {
    expect(find(cases, 'list_webhooks', 'first_page')).toMatchObject({
      expectedStatus: 200,
      body: undefined,
      pathParams: {},
    });
    expect(find(cases, 'get_jwks', 'upvest_keys')?.expectedStatus).toBe(200);
  });

  it('should add a case for every example added to the spec, paired by name', () => {
    const document = copy();
    const media = at(document, 'paths', '/webhooks', 'post', 'requestBody', 'content');
    const request = at(media, 'application/json', 'examples');
    request['all_events'] = {
      value: { title: 'All', url: 'https://tenant.tld/all', type: ['ALL'] },
    };
    const created = at(
      document,
      'paths',
      '/webhooks',
      'post',
      'responses',
      '201',
      'content',
      'application/json',
      'examples',
    );
    created['all_events'] = { value: { id: 'x' } };

    const added = find(collectReplayCases(document), 'create_webhook', 'all_events');

    expect(added).toMatchObject({
      body: { title: 'All', url: 'https://tenant.tld/all', type: ['ALL'] },
      expectedStatus: 201,
      responseExample: 'all_events',
      expectedBody: { id: 'x' },
    });
    expect(collectReplayCases(document)).toHaveLength(cases.length + 1);
  });
});

describe('exampleDrift', () => {
  const example = (overrides: Partial<SpecExample>): SpecExample => ({
    operationId: 'create_webhook',
    name: 'x',
    location: 'request body',
    schema: 'WebhookCreateRequest',
    value: { title: 'User webhook', url: 'https://tenant.tld/webhooks/users' },
    ...overrides,
  });

  it('should find no drift in the package spec', () => {
    expect(collectExamples(openApiDocument).flatMap(exampleDrift)).toEqual([]);
  });

  it('should report a request example that breaks a business rule the schema allows', () => {
    expect(exampleDrift(example({ value: { title: 't', url: 'https://10.0.0.1/x' } }))).toEqual([
      '/url url.ip_host',
    ]);
  });

  it('should report a response example that breaks its schema', () => {
    const problems = exampleDrift(
      example({ location: 'response 201', schema: 'Webhook', value: { id: 'x' } }),
    );
    expect(problems.join('; ')).toContain("must have required property 'created_at'");
  });

  it('should report a webhook id example that is not a UUID', () => {
    expect(
      exampleDrift(
        example({ location: 'parameter webhook_id', schema: undefined, value: 'webhook-1' }),
      ),
    ).toEqual(['/ webhook_id.not_a_uuid']);
  });

  it('should report a schema the generated validators do not know', () => {
    expect(exampleDrift(example({ schema: 'Nope' }))).toEqual([
      'no generated validator for schema Nope',
    ]);
  });
});

describe('pairDrift', () => {
  const cases = collectReplayCases(openApiDocument);

  it('should find the documented pairs consistent', () => {
    expect(pairDrift(find(cases, 'create_webhook', 'user_webhook_docs')!)).toEqual([]);
    expect(pairDrift(find(cases, 'update_webhook', 'enable')!)).toEqual([]);
  });

  it('should not judge what is not a create or update pair', () => {
    expect(pairDrift(find(cases, 'retrieve_webhook', 'documented_webhook')!)).toBeUndefined();
    expect(pairDrift(find(cases, 'update_webhook', 'unknown_webhook')!)).toBeUndefined();
  });

  it('should report an answer that does not echo its request or is not disabled', () => {
    const pair = find(cases, 'create_webhook', 'user_webhook_docs')!;
    const expectedBody = {
      ...(pair.expectedBody as Node),
      config: { delay: '3s', max_package_size: 51200 },
      enabled: true,
    };

    expect(pairDrift({ ...pair, expectedBody })).toEqual([
      'config.delay: sent "2s", got "3s"',
      'the created webhook is not disabled (R8): enabled is true',
    ]);
  });
});
