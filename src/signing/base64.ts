/**
 * Base64 without `Buffer`, so the verifying code runs where only Web APIs exist (workerd, Deno,
 * edge runtimes). `atob`/`btoa` are global on every runtime we support, Node 20 included.
 */

/**
 * The bytes of canonical base64 (RFC 4648 §4, padded), or `undefined` for anything else: other
 * alphabets, missing padding, whitespace or stray bits in the last character are not the
 * spelling any signer we know writes.
 *
 * @example
 * ```ts
 * base64ToBytes('aGk='); // Uint8Array [104, 105]
 * base64ToBytes('aGl='); // undefined (stray bits)
 * ```
 */
export function base64ToBytes(text: string): Uint8Array | undefined {
  // atob is lenient (white space, no padding); the round trip below is not.
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return undefined;
  }
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return bytesToBase64(bytes) === text ? bytes : undefined;
}

/**
 * Canonical, padded base64 of bytes.
 *
 * @example
 * ```ts
 * bytesToBase64(new Uint8Array([104, 105])); // 'aGk='
 * ```
 */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  // In slices: String.fromCharCode takes its arguments on the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/**
 * The bytes of base64url (RFC 4648 §5) as JWKs spell them (no padding), or `undefined`.
 *
 * @example
 * ```ts
 * base64UrlToBytes('aGk'); // Uint8Array [104, 105]
 * ```
 */
export function base64UrlToBytes(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  const padded = text.replaceAll('-', '+').replaceAll('_', '/');
  return base64ToBytes(padded + '='.repeat((4 - (padded.length % 4)) % 4));
}
