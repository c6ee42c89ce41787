/**
 * The inspector's page (`GET /__mock/ui`) and its two files, as static strings built into the
 * package: no build step at run time and no request to another host. The page is a shell; every
 * value it shows comes over the stream and is written by app.ts as text, never as markup. Its
 * Content-Security-Policy lets it load its own script and style and connect to its own origin,
 * nothing else: no inline script or style, no eval, and (Trusted Types) no HTML from strings.
 */
import { ADMIN_PREFIX } from '../mock-admin.js';
import { APP_SCRIPT } from './app.js';

/** Where the page is served. */
export const INSPECTOR_PATH = `${ADMIN_PREFIX}/ui`;

/** Where the live updates are served (server-sent events). */
export const STREAM_PATH = `${ADMIN_PREFIX}/stream`;

/**
 * The policy of every inspector file. `'self'` is the mock's origin: its script and style come
 * from there, and its requests go there. Trusted Types with no policy make any assignment of a
 * string to `innerHTML` (or another HTML sink) throw, so the rule "text only" is enforced by the
 * browser too.
 */
export const INSPECTOR_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1b1f24; background: #f6f8fa; }
header { display: flex; align-items: baseline; gap: 1rem; padding: .8rem 1.5rem; background: #fff; border-bottom: 1px solid #d0d7de; }
h1 { font-size: 1.3rem; margin: 0; } h2 { font-size: 1.05rem; margin: 0 0 .5rem; }
main { padding: 1rem 1.5rem; display: grid; gap: 1rem; }
section { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: .8rem 1rem; overflow-x: auto; }
form { display: inline-flex; flex-wrap: wrap; align-items: end; gap: .5rem; margin: 0 1.5rem .5rem 0; }
label { display: flex; flex-direction: column; font-size: .8rem; color: #57606a; }
input, select, button { font: inherit; padding: .25rem .4rem; }
input[type=number] { width: 5rem; }
button { cursor: pointer; border: 1px solid #1f883d; background: #1f883d; color: #fff; border-radius: 6px; }
button.secondary { background: #fff; color: #1f883d; }
button, td:first-child, #requests td:nth-child(2) { white-space: nowrap; }
#deliveries td:nth-child(3) { min-width: 9rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left; vertical-align: top; }
td { word-break: break-word; }
.status { font-size: .85rem; padding: .1rem .5rem; border-radius: 1rem; background: #eaeef2; }
.live { background: #dafbe1; } .down { background: #ffebe9; }
.ok { color: #1a7f37; font-weight: 600; } .bad { color: #cf222e; font-weight: 600; }
.muted { color: #57606a; }
pre { margin: .2rem 0; white-space: pre-wrap; word-break: break-all; font-size: .8rem; }
details summary { cursor: pointer; }
#message { min-height: 1.2rem; margin: .2rem 0 0; }
`.trim();

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>upvest-webhooks mock inspector</title>
<link rel="icon" href="${INSPECTOR_PATH}/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${INSPECTOR_PATH}/app.css">
<script src="${INSPECTOR_PATH}/app.js" defer></script>
</head><body>
<header><h1>upvest-webhooks mock inspector</h1><span id="connection" class="status">connecting…</span>
<span class="muted">a mock of the API: nothing here reaches Upvest</span></header>
<main>
<section id="token-section" hidden><h2>Admin token</h2>
<form id="token-form"><label>This mock was started with an admin token: enter it to watch and control it (kept in this tab only)<input id="token" type="password" autocomplete="off" required></label>
<button type="submit" id="token-submit">Connect</button></form></section>
<section id="controls"><h2>Controls</h2>
<form id="trigger-form"><label>Event type or category<input id="trigger-type" list="event-names" value="USER" required></label>
<datalist id="event-names"></datalist>
<label>Count<input id="trigger-count" type="number" min="1" max="10000" value="1"></label>
<button type="submit" id="trigger">Trigger events</button></form>
<form id="fault-form"><label>Fault for the next API requests<select id="fault-kind">
<option value="rate_limited">429 too many requests</option><option value="unavailable">503 unavailable</option>
<option value="delay">delay</option><option value="reset">reset connection</option></select></label>
<label>Seconds (Retry-After or delay)<input id="fault-seconds" type="number" min="0" max="120" value="1"></label>
<label>Times<input id="fault-times" type="number" min="1" value="1"></label>
<button type="submit" id="inject-fault">Inject fault</button></form>
<p id="message" role="status"></p></section>
<section><h2>Webhooks</h2><table id="webhooks"><thead><tr><th>id</th><th>title</th><th>url</th><th>type</th><th>enabled</th><th>config</th></tr></thead><tbody></tbody></table></section>
<section><h2>Deliveries</h2><table id="deliveries"><thead><tr><th>sent</th><th>webhook</th><th>events</th><th>signature headers</th><th>answer</th><th>latency</th><th></th></tr></thead><tbody></tbody></table></section>
<section><h2>API requests</h2><table id="requests"><thead><tr><th>#</th><th>arrived</th><th>request</th><th>status</th><th>signature</th><th>token scopes</th><th>fault</th></tr></thead><tbody></tbody></table></section>
<section><h2>Pending faults</h2><ul id="faults"></ul></section>
</main>
</body></html>
`;

const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#1f883d"/></svg>`;

/** The files of the inspector by path: their media type and content. */
const FILES: Readonly<Record<string, { readonly type: string; readonly body: string }>> = {
  [INSPECTOR_PATH]: { type: 'text/html; charset=utf-8', body: PAGE },
  [`${INSPECTOR_PATH}/app.js`]: { type: 'text/javascript; charset=utf-8', body: APP_SCRIPT },
  [`${INSPECTOR_PATH}/app.css`]: { type: 'text/css; charset=utf-8', body: STYLE },
  [`${INSPECTOR_PATH}/icon.svg`]: { type: 'image/svg+xml', body: ICON },
};

/**
 * A file of the inspector: what to answer a request for `path`, or undefined when the path is
 * none of its files. Only GET and HEAD are answered (405 otherwise).
 *
 * @example
 * ```ts
 * inspectorFile('GET', '/__mock/ui')?.headers['content-security-policy']; // "default-src 'none'; …"
 * ```
 */
export function inspectorFile(
  method: string,
  path: string,
):
  | { status: number; headers: Record<string, string | number>; body: string | undefined }
  | undefined {
  const file = FILES[path];
  if (!file) return undefined;
  if (method !== 'GET' && method !== 'HEAD') {
    return { status: 405, headers: { allow: 'GET, HEAD' }, body: undefined };
  }
  return {
    status: 200,
    headers: {
      'content-type': file.type,
      'content-length': Buffer.byteLength(file.body),
      'content-security-policy': INSPECTOR_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'cross-origin-resource-policy': 'same-origin',
    },
    body: method === 'HEAD' ? undefined : file.body,
  };
}
