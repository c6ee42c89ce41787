/**
 * ajv's `ucs2length`, written out: ajv's standalone output would `require` it from ajv's CommonJS
 * runtime, which fails where there is no `require` (edge runtimes). A string iterator counts the
 * same, but several times slower.
 *
 * Copied into each generated validator module that checks a string length (scripts/generate.ts).
 */

/** The length in code points, as JSON Schema counts it: a surrogate pair is one. */
export const ucs2length = (value: string): number => {
  let count = 0;
  for (let at = 0; at < value.length; at += 1) {
    count += 1;
    const unit = value.charCodeAt(at);
    if (unit >= 0xd800 && unit <= 0xdbff && (value.charCodeAt(at + 1) & 0xfc00) === 0xdc00) at += 1;
  }
  return count;
};
