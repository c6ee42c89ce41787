/**
 * Every spelling a report, an error or an echoing server may give a secret, for tests that
 * check a secret appears nowhere. Not part of the package.
 */
export const secretSpellings: Readonly<Record<string, (secret: string) => string>> = {
  raw: (s) => s,
  percent: (s) => encodeURIComponent(s),
  'percent, lower-case hex': (s) =>
    encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
  'percent, twice': (s) => encodeURIComponent(encodeURIComponent(s)),
  encodeURI: (s) => encodeURI(s),
  form: (s) => new URLSearchParams({ s }).toString().slice(2),
  'JSON string': (s) => JSON.stringify(s).slice(1, -1),
  'JSON, every character escaped': (s) =>
    s
      .split('')
      .map((unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`)
      .join(''),
  'JSON of the form encoding': (s) =>
    JSON.stringify(new URLSearchParams({ s }).toString().slice(2)).slice(1, -1),
  base64: (s) => Buffer.from(s).toString('base64'),
  base64url: (s) => Buffer.from(s).toString('base64url'),
  'base64 of a Basic credential': (s) => Buffer.from(`client-id:${s}`).toString('base64'),
  'base64 after two bytes': (s) => Buffer.from(`ab${s}cd`).toString('base64'),
  'HTML escaped': (s) =>
    s
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;'),
  'XML numeric references': (s) =>
    [...s].map((c) => `&#x${(c.codePointAt(0) ?? 0).toString(16)};`).join(''),
  'split over two lines': (s) => `${[...s].slice(0, 3).join('')}\n    ${[...s].slice(3).join('')}`,
  // A text broken over lines, then written as a JSON string: `\\n` between two halves.
  'split over lines in JSON': (s) =>
    JSON.stringify(`${[...s].slice(0, 5).join('')}\n${[...s].slice(5).join('')}`).slice(1, -1),
};
