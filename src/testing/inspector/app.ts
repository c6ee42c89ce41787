/**
 * The inspector page's script, as the browser gets it (`GET /__mock/ui/app.js`): plain
 * JavaScript in a string, so the package needs no browser build. It writes every value it shows
 * with `textContent` on elements it creates, never as markup: a webhook's title, a URL, a header
 * or a problem's detail is text however it reads (the page's Trusted Types policy would make an
 * HTML sink throw anyway). It talks only to the mock's own origin: the stream, and the admin
 * endpoints its controls call. The stream is read with `fetch` rather than `EventSource`, so a
 * mock started with an admin token can be watched too: the page asks for the token and sends it
 * as `authorization: Bearer …` (kept in the tab's session storage, never in a URL). Kept free of
 * template literals so that it fits in this one.
 */

/**
 * The script's source.
 *
 * @example
 * ```ts
 * new vm.Script(APP_SCRIPT); // it parses
 * ```
 */
export const APP_SCRIPT = String.raw`'use strict';
(() => {
  const view = { requests: [], deliveries: [], webhooks: [], faults: [] };
  const $ = (id) => document.getElementById(id);
  const TOKEN_KEY = 'upvest-mock-admin-token';

  /** The admin token's header, when the page was given one. */
  function authorization() {
    const token = sessionStorage.getItem(TOKEN_KEY);
    return token ? { authorization: 'Bearer ' + token } : {};
  }

  /** An element with its text (never markup) and class. */
  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  /** A table row: each cell a node, or a value shown as text. */
  function row(cells) {
    const tr = el('tr');
    for (const cell of cells) {
      const td = el('td');
      if (cell instanceof Node) td.append(cell);
      else td.textContent = cell === undefined || cell === null ? '' : String(cell);
      tr.append(td);
    }
    return tr;
  }

  function fill(id, rows) {
    $(id).querySelector('tbody').replaceChildren(...rows);
  }

  const counted = (n, one, many) => n + ' ' + (n === 1 ? one : many);
  const time = (iso) => (typeof iso === 'string' ? iso.slice(11, 23) : '');

  function say(text, ok) {
    const message = $('message');
    message.textContent = text;
    message.className = ok ? 'ok' : 'bad';
  }

  function headersBlock(headers) {
    const details = el('details');
    details.append(el('summary', Object.keys(headers).length + ' headers'));
    const pre = el('pre');
    pre.textContent = Object.entries(headers)
      .map(([name, value]) => name + ': ' + value)
      .join('\n');
    details.append(pre);
    return details;
  }

  function titleOf(webhookId) {
    const webhook = view.webhooks.find((w) => w && w.id === webhookId);
    return webhook ? webhook.title + ' (' + webhookId.slice(0, 8) + ')' : webhookId;
  }

  function renderWebhooks() {
    fill('webhooks', view.webhooks.map((w) => row([
      w.id,
      w.title,
      w.url,
      Array.isArray(w.type) ? w.type.join(', ') : w.type,
      el('span', w.enabled ? 'enabled' : 'disabled', w.enabled ? 'ok' : 'muted'),
      JSON.stringify(w.config || {}),
    ])));
  }

  function answerOf(d) {
    if (d.status === undefined || d.status === null) return el('span', 'failed: ' + (d.error || ''), 'bad');
    const ok = d.status >= 200 && d.status < 300;
    return el('span', 'HTTP ' + d.status + (ok ? ' accepted' : ' refused'), ok ? 'ok' : 'bad');
  }

  function redeliverButton(d) {
    const button = el('button', 'Redeliver', 'secondary');
    button.type = 'button';
    button.addEventListener('click', () =>
      post('deliveries/' + encodeURIComponent(d.id) + '/redeliver', undefined, () => 'Redelivered ' + d.id));
    return button;
  }

  function renderDeliveries() {
    fill('deliveries', view.deliveries.slice().reverse().map((d) => {
      const tr = row([
        time(d.at) + (d.redeliveryOf ? ' (again)' : ''),
        titleOf(d.webhookId),
        d.events.map((e) => e.type).join(', '),
        headersBlock(d.headers || {}),
        answerOf(d),
        d.latencyMs === undefined || d.latencyMs === null ? '' : d.latencyMs + ' ms',
        redeliverButton(d),
      ]);
      tr.dataset.deliveryId = d.id;
      return tr;
    }));
  }

  function signatureOf(r) {
    if (!r.signature) return el('span', 'not checked', 'muted');
    if (r.signature.ok) return el('span', 'valid', 'ok');
    return el('span', 'refused: ' + (r.signature.reason || '') + ' ' + (r.signature.message || ''), 'bad');
  }

  function renderRequests() {
    fill('requests', view.requests.slice().reverse().map((r) => row([
      r.seq,
      time(r.at),
      r.method + ' ' + r.path,
      el('span', r.status === 0 ? 'reset' : r.status, r.status >= 200 && r.status < 400 ? 'ok' : 'bad'),
      signatureOf(r),
      r.scopes ? r.scopes.join(' ') : '',
      r.fault || '',
    ])));
  }

  function renderFaults() {
    $('faults').replaceChildren(...view.faults.map((f) => el('li', JSON.stringify(f))));
    if (view.faults.length === 0) $('faults').append(el('li', 'none', 'muted'));
  }

  function renderAll() {
    renderWebhooks();
    renderDeliveries();
    renderRequests();
    renderFaults();
  }

  /** A control's request to the mock's admin endpoints, same origin; the answer as a message. */
  async function post(path, body, done) {
    try {
      const response = await fetch('/__mock/' + path, {
        method: 'POST',
        headers: Object.assign(
          body === undefined ? {} : { 'content-type': 'application/json' },
          authorization(),
        ),
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const answer = await response.json().catch(() => ({}));
      if (response.ok) say(done(answer), true);
      else say('HTTP ' + response.status + ': ' + (answer.detail || answer.title || ''), false);
    } catch (error) {
      say(String(error), false);
    }
  }

  const limit = (list) => list.slice(-500);

  function connection(text, className) {
    $('connection').textContent = text;
    $('connection').className = 'status ' + className;
  }

  /** The stream's events (server-sent events: 'event:' and 'data:' lines, a blank line after each). */
  async function readEvents(response, handlers) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffered += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const block = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        let name = 'message';
        const data = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) name = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
        if (data.length > 0 && handlers[name]) {
          handlers[name](JSON.parse(data.join('\n')));
          document.body.dataset.ready = 'true';
        }
      }
    }
  }

  /** Watches the stream, connecting again a second after it ends; asks for the token on 401. */
  async function listen(handlers) {
    for (;;) {
      try {
        const response = await fetch('/__mock/stream', { headers: authorization() });
        if (response.status === 401) {
          connection('needs the admin token', 'down');
          $('token-section').hidden = false;
          return;
        }
        if (!response.ok) throw new Error('HTTP ' + response.status);
        $('token-section').hidden = true;
        connection('live', 'live');
        await readEvents(response, handlers);
      } catch {
        // The mock stopped or the network dropped: shown, then tried again.
      }
      connection('reconnecting…', 'down');
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  function streamHandlers() {
    const on = {};
    on['snapshot'] = (data) => {
      Object.assign(view, { requests: data.requests, deliveries: data.deliveries });
      Object.assign(view, { webhooks: data.webhooks, faults: data.faults });
      $('event-names').replaceChildren(...data.eventNames.map((name) => {
        const option = el('option');
        option.value = name;
        return option;
      }));
      renderAll();
    };
    on['request'] = (r) => { view.requests = limit([...view.requests, r]); renderRequests(); };
    on['delivery'] = (d) => { view.deliveries = limit([...view.deliveries, d]); renderDeliveries(); };
    on['state'] = (s) => {
      Object.assign(view, { webhooks: s.webhooks, faults: s.faults });
      renderWebhooks();
      renderDeliveries();
      renderFaults();
    };
    return on;
  }

  function controls() {
    $('trigger-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const count = Number($('trigger-count').value) || 1;
      post('events', { type: $('trigger-type').value.trim(), count }, (answer) =>
        'Triggered ' + counted(answer.events.length, 'event', 'events') + ' in ' +
        counted(answer.deliveries.length, 'delivery', 'deliveries'));
    });
    $('fault-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const kind = $('fault-kind').value;
      const seconds = Number($('fault-seconds').value) || 0;
      const times = Number($('fault-times').value) || 1;
      const fault = kind === 'delay' ? { kind, delayMs: seconds * 1000, times }
        : kind === 'reset' ? { kind, times } : { kind, retryAfterSeconds: seconds, times };
      post('faults', fault, () => 'Injected: ' + kind + ' for the next ' + times + ' requests');
    });
  }

  const handlers = streamHandlers();
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token').value);
    $('token').value = '';
    void listen(handlers);
  });
  controls();
  void listen(handlers);
})();
`;
