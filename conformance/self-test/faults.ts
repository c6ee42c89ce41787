/**
 * The seeded faults of the self-test: one plausible server bug each, of every kind the suite
 * claims to catch. A fault the suite lets pass is a hole in the suite.
 */
import { contentDigest } from '../../src/signing/index.js';
import { generateDeliveryKeyPair, signDelivery } from '../../src/testing/index.js';
import { problem, type ProxyRequest, type SeededFault } from './proxy.js';

/** A delivery key no server serves: what a misconfigured server might sign with. */
const otherDeliveryKey = generateDeliveryKeyPair();

type Json = Record<string, unknown>;

function json(request: ProxyRequest): Json | undefined {
  try {
    const value = JSON.parse(request.body) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Json)
      : undefined;
  } catch {
    return undefined;
  }
}

function setJson(request: ProxyRequest, value: unknown): void {
  request.body = JSON.stringify(value);
  request.resign = true;
}

const isCreate = (r: ProxyRequest) => r.method === 'POST' && r.target === '/webhooks';
const isWrite = (r: ProxyRequest) => isCreate(r) || r.method === 'PATCH';
const pathOf = (r: ProxyRequest) => new URL(r.target, 'http://proxy.invalid').pathname;
const query = (r: ProxyRequest) => new URL(r.target, 'http://proxy.invalid').searchParams;
const signatureInput = (r: ProxyRequest) => r.headers['signature-input'] ?? '';
const param = (r: ProxyRequest, name: string) =>
  Number(new RegExp(`;${name}=(-?\\d+)`).exec(signatureInput(r))?.[1] ?? NaN);
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Changes one query parameter (or removes it) and re-signs: `@query` is covered. */
function withQuery(request: ProxyRequest, name: string, value: string | undefined): void {
  const url = new URL(request.target, 'http://proxy.invalid');
  if (value === undefined) url.searchParams.delete(name);
  else url.searchParams.set(name, value);
  request.target = `${url.pathname}${url.search}`;
  request.resign = true;
}

/** A body fault on create and update: when `applies` holds, `change` the body and re-sign. */
function repairBody(
  name: string,
  kind: SeededFault['kind'],
  applies: (body: Json) => boolean,
  change: (body: Json) => Json,
): SeededFault {
  return {
    name,
    kind,
    request(request) {
      const body = isWrite(request) ? json(request) : undefined;
      if (body && applies(body)) setJson(request, change(body));
    },
  };
}

/** A create or update answered with a problem when `applies` holds. */
function answerBody(
  name: string,
  status: number,
  title: string,
  applies: (body: Json) => boolean,
): SeededFault {
  return {
    name,
    kind: 'too strict',
    request(request) {
      const body = isWrite(request) ? json(request) : undefined;
      return body && applies(body) ? problem(status, title) : undefined;
    },
  };
}

/** A create or update refused with 400 when `applies` holds: a server too strict at an edge. */
const refuseBody = (name: string, applies: (body: Json) => boolean): SeededFault =>
  answerBody(name, 400, 'refused', applies);

/** A create or update answered 500 when `applies` holds: unusual but valid input crashes it. */
const crashOn = (name: string, applies: (body: Json) => boolean): SeededFault =>
  answerBody(name, 500, 'internal error', applies);

const textOf = (value: unknown) => (typeof value === 'string' ? value : '');
const config = (body: Json) => (body['config'] ?? {}) as Json;
const withConfig = (body: Json, change: Json) => ({
  ...body,
  config: { ...config(body), ...change },
});
const url = (body: Json) => (typeof body['url'] === 'string' ? body['url'] : '');

/** Answers a page with `change` applied to it. */
function pageFault(
  name: string,
  change: (page: { meta: Json; data: Json[] }) => void,
): SeededFault {
  return {
    name,
    kind: 'state',
    response(response, request) {
      if (request.method !== 'GET' || pathOf(request) !== '/webhooks' || response.status !== 200)
        return;
      const page = JSON.parse(response.body) as { meta: Json; data: Json[] };
      change(page);
      response.body = JSON.stringify(page);
    },
  };
}

/**
 * The faults, by kind. Each names the bug it plants.
 *
 * @example
 * ```ts
 * for (const fault of seededFaults) console.log(fault.kind, fault.name);
 * ```
 */
export const seededFaults: readonly SeededFault[] = [
  // Signatures: the proxy signs anew whatever the server should have refused.
  {
    name: 'accepts unsigned requests',
    kind: 'signature',
    request: (r) => void (r.headers['signature'] === undefined && (r.resign = true)),
  },
  {
    name: 'does not check the signature bytes',
    kind: 'signature',
    request: (r) => void (r.headers['signature'] !== undefined && (r.resign = true)),
  },
  {
    name: 'ignores the body digest',
    kind: 'signature',
    async request(r) {
      if (r.body !== '' && r.headers['content-digest'] !== (await contentDigest(r.body))) {
        r.resign = true;
      }
    },
  },
  {
    name: 'accepts expired signatures',
    kind: 'signature',
    request: (r) => void (param(r, 'expires') < nowSeconds() - 30 && (r.resign = true)),
  },
  {
    name: 'accepts signatures created in the future',
    kind: 'signature',
    request: (r) => void (param(r, 'created') > nowSeconds() + 30 && (r.resign = true)),
  },
  {
    name: 'accepts unknown key ids',
    kind: 'signature',
    request: (r) =>
      void (signatureInput(r).includes('conformance-unknown-key') && (r.resign = true)),
  },
  {
    name: 'accepts signatures that do not cover @path',
    kind: 'signature',
    request: (r) =>
      void (
        signatureInput(r) !== '' &&
        !signatureInput(r).includes('"@path"') &&
        (r.resign = true)
      ),
  },
  {
    name: 'does not require upvest-signature-version',
    kind: 'signature',
    request: (r) => void (r.headers['upvest-signature-version'] ??= '15'),
  },
  // Headers and tokens.
  {
    name: 'accepts a request without upvest-client-id',
    kind: 'auth',
    request(r, { mock }) {
      if (r.headers['upvest-client-id'] === undefined) {
        r.headers['upvest-client-id'] = mock.credentials.clientId;
        r.resign = true;
      }
    },
  },
  {
    name: 'accepts a request without a token',
    kind: 'auth',
    request(r, { mock }) {
      if (r.headers['authorization'] === undefined && !r.target.startsWith('/auth/')) {
        r.headers['authorization'] = `Bearer ${mock.issueToken(['webhooks:admin'])}`;
        r.resign = true;
      }
    },
  },
  {
    name: 'lets a read-only token write',
    kind: 'auth',
    request(r, { mock }) {
      if (r.method === 'GET' || r.target.startsWith('/auth/')) return;
      r.headers['authorization'] = `Bearer ${mock.issueToken(['webhooks:admin'])}`;
      r.resign = true;
    },
  },
  {
    name: 'accepts upvest-api-version 2',
    kind: 'auth',
    request(r) {
      if (r.headers['upvest-api-version'] === '2') {
        r.headers['upvest-api-version'] = '1';
        r.resign = true;
      }
    },
  },
  // Too strict: valid input at an edge refused, unusual valid input crashing.
  refuseBody('refuses a title of exactly 100 characters', (b) => String(b['title']).length === 100),
  refuseBody('refuses max_package_size 100', (b) => config(b)['max_package_size'] === 100),
  refuseBody('refuses max_package_size 1048576', (b) => config(b)['max_package_size'] === 1048576),
  refuseBody('refuses delay 1s', (b) => config(b)['delay'] === '1s'),
  refuseBody('refuses delay 30s', (b) => config(b)['delay'] === '30s'),
  refuseBody('refuses type ["ALL"]', (b) => JSON.stringify(b['type']) === '["ALL"]'),
  refuseBody('refuses an empty title', (b) => b['title'] === ''),
  {
    name: 'refuses limit=1000',
    kind: 'too strict',
    request: (r) => (query(r).get('limit') === '1000' ? problem(400, 'limit too high') : undefined),
  },
  crashOn('answers 500 to a URL with a port', (b) => /^https:\/\/[^/]+:\d+/.test(url(b))),
  crashOn('answers 500 to a URL with a query string', (b) => url(b).includes('?')),
  crashOn('answers 500 to a Punycode host', (b) => url(b).includes('xn--')),
  crashOn('answers 500 to a non-ASCII title', (b) => /[^\x20-\x7e]/.test(textOf(b['title']))),
  // Too lenient: invalid input repaired, so the server "accepts" it.
  repairBody(
    'accepts a title of 101 characters',
    'too lenient',
    (b) => textOf(b['title']).length > 100,
    (b) => ({ ...b, title: String(b['title']).slice(0, 100) }),
  ),
  repairBody(
    'accepts max_package_size 99',
    'too lenient',
    (b) => config(b)['max_package_size'] === 99,
    (b) => withConfig(b, { max_package_size: 100 }),
  ),
  repairBody(
    'accepts max_package_size 1048577',
    'too lenient',
    (b) => config(b)['max_package_size'] === 1048577,
    (b) => withConfig(b, { max_package_size: 1048576 }),
  ),
  repairBody(
    'accepts a non-integer max_package_size',
    'too lenient',
    (b) =>
      typeof config(b)['max_package_size'] === 'number' &&
      !Number.isInteger(config(b)['max_package_size']),
    (b) => withConfig(b, { max_package_size: Math.round(Number(config(b)['max_package_size'])) }),
  ),
  repairBody(
    'accepts delay 31s (R5)',
    'too lenient',
    (b) => config(b)['delay'] === '31s',
    (b) => withConfig(b, { delay: '30s' }),
  ),
  repairBody(
    'accepts unknown properties',
    'too lenient',
    (b) => 'x_unknown' in b,
    ({ x_unknown: _, ...rest }) => rest,
  ),
  repairBody(
    'accepts a create without a title',
    'too lenient',
    (b) =>
      b['title'] === undefined &&
      b['url'] !== undefined &&
      b['enabled'] === undefined &&
      Object.keys(b).length > 1,
    (b) => ({ ...b, title: 'untitled' }),
  ),
  repairBody(
    'accepts a category listed twice (R7)',
    'too lenient',
    (b) => Array.isArray(b['type']) && new Set(b['type']).size < b['type'].length,
    (b) => ({ ...b, type: [...new Set(b['type'] as string[])] }),
  ),
  repairBody(
    'accepts an empty category list (R7)',
    'too lenient',
    (b) => Array.isArray(b['type']) && b['type'].length === 0,
    (b) => ({ ...b, type: ['ALL'] }),
  ),
  repairBody(
    'accepts ALL with another category (R7)',
    'too lenient',
    (b) => Array.isArray(b['type']) && b['type'].length > 1 && b['type'].includes('ALL'),
    (b) => ({ ...b, type: ['ALL'] }),
  ),
  repairBody(
    'accepts an http URL (R1)',
    'too lenient',
    (b) => url(b).startsWith('http://'),
    (b) => ({ ...b, url: url(b).replace('http://', 'https://') }),
  ),
  repairBody(
    'accepts an IP host (R2)',
    'too lenient',
    (b) => /^https:\/\/\d+\.\d+\.\d+\.\d+/.test(url(b)),
    (b) => ({ ...b, url: 'https://tenant.tld/webhooks' }),
  ),
  {
    name: 'accepts a negative offset',
    kind: 'too lenient',
    request: (r) => void (query(r).get('offset')?.startsWith('-') && withQuery(r, 'offset', '0')),
  },
  {
    name: 'accepts limit=1001',
    kind: 'too lenient',
    request: (r) => void (query(r).get('limit') === '1001' && withQuery(r, 'limit', '1000')),
  },
  // State.
  {
    name: 'answers an update without storing it',
    kind: 'state',
    async request(r, { ask }) {
      if (r.method !== 'PATCH') return;
      const current = await ask({ method: 'GET', target: r.target, headers: {}, body: '' });
      const patch = json(r);
      if (current.status !== 200 || !patch) return;
      const stored = JSON.parse(current.body) as Json;
      const merged = { ...stored, ...patch, config: { ...config(stored), ...config(patch) } };
      return { ...current, body: JSON.stringify(merged) };
    },
  },
  {
    name: 'ignores offset',
    kind: 'state',
    request: (r) => void (query(r).has('offset') && withQuery(r, 'offset', undefined)),
  },
  {
    name: 'ignores limit',
    kind: 'state',
    request: (r) => void (query(r).get('limit') === '2' && withQuery(r, 'limit', undefined)),
  },
  {
    name: 'ignores order',
    kind: 'state',
    request: (r) => void (query(r).get('order') === 'DESC' && withQuery(r, 'order', undefined)),
  },
  {
    name: 'ignores sort',
    kind: 'state',
    request: (r) => void (query(r).get('sort') === 'title' && withQuery(r, 'sort', undefined)),
  },
  pageFault('counts total_count one too high', (page) => {
    page.meta['total_count'] = Number(page.meta['total_count']) + 1;
  }),
  pageFault('says a count that is not the number of items', (page) => {
    if (page.data.length > 0) page.meta['count'] = page.data.length + 1;
  }),
  {
    name: 'answers a second DELETE with 204',
    kind: 'state',
    response(response, request) {
      if (request.method === 'DELETE' && response.status === 404) {
        response.status = 204;
        response.body = '';
        delete response.headers['content-type'];
      }
    },
  },
  {
    name: 'still serves a deleted webhook',
    kind: 'state',
    response(response, request, { memory }) {
      const path = pathOf(request);
      if (request.method === 'GET' && response.status === 200 && /^\/webhooks\/[^/]+$/.test(path))
        memory.set(path, response.body);
      if (request.method === 'GET' && response.status === 404 && memory.has(path)) {
        response.status = 200;
        response.body = String(memory.get(path));
        response.headers['content-type'] = 'application/json';
      }
    },
  },
  // Protocol.
  {
    name: 'answers an undocumented method with 200',
    kind: 'protocol',
    response(response) {
      if (response.status === 405) {
        response.status = 200;
        response.body = '{}';
        response.headers['content-type'] = 'application/json';
      }
    },
  },
  {
    name: 'answers 405 without allow',
    kind: 'protocol',
    response: (response) => void delete response.headers['allow'],
  },
  {
    name: 'serves JSON whatever accept says',
    kind: 'protocol',
    request(r) {
      if (r.headers['accept'] && !r.headers['accept'].includes('application/json')) {
        r.headers['accept'] = 'application/json';
        r.resign = true;
      }
    },
  },
  {
    name: 'ignores a body on a test',
    kind: 'protocol',
    request(r) {
      if (r.method === 'POST' && pathOf(r).endsWith('/test') && r.body !== '') {
        r.body = '';
        delete r.headers['content-type'];
        r.resign = true;
      }
    },
  },
  {
    name: 'answers an unknown path with 500',
    kind: 'protocol',
    response(response, request) {
      if (response.status === 404 && !pathOf(request).startsWith('/webhooks/')) {
        Object.assign(response, problem(500, 'internal error'));
      }
    },
  },
  // The answer's own contract.
  {
    name: 'sends no upvest-request-id',
    kind: 'contract',
    response: (response) => void delete response.headers['upvest-request-id'],
  },
  {
    name: 'answers a create with 200 instead of 201',
    kind: 'contract',
    response: (response, request) =>
      void (isCreate(request) && response.status === 201 && (response.status = 200)),
  },
  {
    name: 'sends errors as application/json',
    kind: 'contract',
    response(response) {
      if (response.status >= 400) response.headers['content-type'] = 'application/json';
    },
  },
  {
    name: 'answers a webhook whose enabled is a string',
    kind: 'contract',
    response(response, request) {
      if (
        request.method === 'GET' &&
        response.status === 200 &&
        /^\/webhooks\/[^/]+$/.test(pathOf(request))
      ) {
        response.body = JSON.stringify({ ...(JSON.parse(response.body) as Json), enabled: 'yes' });
      }
    },
  },
  // Test deliveries, as the suite receives them (through the proxy, like a tunnel).
  {
    name: 'sends the test delivery unsigned',
    kind: 'signature',
    delivery(delivery) {
      delete delivery.headers['signature'];
      delete delivery.headers['signature-input'];
    },
  },
  {
    name: 'changes the test delivery after signing it',
    kind: 'signature',
    delivery(delivery) {
      delivery.body = delivery.body.replace('"payload"', '"payload" ');
    },
  },
  {
    name: 'signs test deliveries with a key /auth/verify_keys does not serve',
    kind: 'signature',
    delivery(delivery) {
      const signed = signDelivery([], {
        ...otherDeliveryKey,
        url: `http://127.0.0.1${delivery.target}`,
        body: delivery.body,
      });
      Object.assign(delivery.headers, signed.headers);
    },
  },
  {
    name: 'never sends the test delivery',
    kind: 'state',
    delivery: () => ({ status: 200, headers: {}, body: '' }),
  },
];
