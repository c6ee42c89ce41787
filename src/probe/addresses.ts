import { BlockList, isIPv4 } from 'node:net';

/**
 * Address ranges that are not on the public internet (RFC 6890 and friends): a probe must not be
 * steered into a tenant's own network by a name that resolves there.
 */
const nonPublic = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  nonPublic.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  nonPublic.addSubnet(network, prefix, 'ipv6');
}

/**
 * The eight 16-bit words of an IPv6 address in any spelling (`::`, a dotted IPv4 tail, a zone),
 * or undefined when it is none.
 */
function ipv6Words(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted !== undefined) {
    if (!isIPv4(dotted)) return undefined;
    const [a = 0, b = 0, c = 0, d = 0] = dotted.split('.').map(Number);
    text = `${text.slice(0, -dotted.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const words = [
    ...head,
    ...new Array<string>(halves.length === 2 ? missing : 0).fill('0'),
    ...tail,
  ];
  if (!words.every((word) => /^[0-9a-f]{1,4}$/.test(word))) return undefined;
  return words.map((word) => parseInt(word, 16));
}

/** IPv6 prefixes (as six leading words) whose last 32 bits are an IPv4 address to judge. */
const EMBEDDING_IPV4 = [
  [0, 0, 0, 0, 0, 0xffff], // IPv4-mapped, ::ffff:0:0/96
  [0x64, 0xff9b, 0, 0, 0, 0], // NAT64 well-known prefix, 64:ff9b::/96 (RFC 6052)
  [0, 0, 0, 0, 0, 0], // IPv4-compatible, ::/96 (deprecated, still routed by some stacks)
] as const;

/**
 * Whether an address is on the public internet. IPv6 addresses that carry an IPv4 address
 * (IPv4-mapped, NAT64 `64:ff9b::/96`, IPv4-compatible) are judged by that IPv4 address, in any
 * spelling: `64:ff9b::a00:5` carries 10.0.0.5 as surely as `64:ff9b::10.0.0.5` does.
 *
 * @example
 * ```ts
 * isPublicAddress('8.8.8.8'); // true
 * isPublicAddress('::ffff:10.0.0.1'); // false
 * isPublicAddress('64:ff9b::a00:5'); // false
 * ```
 */
export function isPublicAddress(address: string): boolean {
  if (isIPv4(address)) return !nonPublic.check(address, 'ipv4');
  const words = ipv6Words(address);
  if (!words) return false; // not an address at all: never "public"
  const [w0, w1, w2, w3, w4, w5, w6 = 0, w7 = 0] = words;
  const embeds = EMBEDDING_IPV4.some((prefix) =>
    prefix.every((word, i) => word === [w0, w1, w2, w3, w4, w5][i]),
  );
  // `::` and `::1` are in the compatible range too, but are themselves non-public.
  if (embeds && (w6 !== 0 || w7 > 1)) {
    return isPublicAddress(`${w6 >> 8}.${w6 & 255}.${w7 >> 8}.${w7 & 255}`);
  }
  return !nonPublic.check(address.split('%')[0] ?? address, 'ipv6');
}
