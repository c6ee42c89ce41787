import { BlockList, isIPv4 } from 'node:net';

/**
 * One row of IANA's special-purpose address registries (IPv4, and IPv6 as updated 2024-10-22), or of the
 * multicast and deprecated ranges beside them. A webhook is never hosted in any of them: a probe
 * that connected there could be steered into a tenant's own network, or somewhere no answer
 * means anything.
 */
export interface SpecialPurposeRange {
  readonly network: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
  /** The registry's name for the block. */
  readonly name: string;
  /** Where it is defined. */
  readonly reference: string;
}

const range = (
  family: SpecialPurposeRange['family'],
  network: string,
  prefix: number,
  name: string,
  reference: string,
): SpecialPurposeRange => ({ network, prefix, family, name, reference });

/**
 * Every range the probe refuses. IPv6 ranges that carry an IPv4 address (IPv4-mapped, NAT64's
 * well-known prefix, IPv4-compatible) are judged by that address instead (see
 * {@link isPublicAddress}); the rest of `64:ff9b::/96` is public like the IPv4 it carries.
 *
 * @example
 * ```ts
 * specialPurposeRanges.find((r) => r.name === 'Teredo'); // { network: '2001::', prefix: 32, … }
 * ```
 */
export const specialPurposeRanges: readonly SpecialPurposeRange[] = [
  // https://www.iana.org/assignments/iana-ipv4-special-registry
  range('ipv4', '0.0.0.0', 8, '"This network"', 'RFC 791'),
  range('ipv4', '10.0.0.0', 8, 'Private-Use', 'RFC 1918'),
  range('ipv4', '100.64.0.0', 10, 'Shared Address Space', 'RFC 6598'),
  range('ipv4', '127.0.0.0', 8, 'Loopback', 'RFC 1122'),
  range('ipv4', '169.254.0.0', 16, 'Link Local', 'RFC 3927'),
  range('ipv4', '172.16.0.0', 12, 'Private-Use', 'RFC 1918'),
  range('ipv4', '192.0.0.0', 24, 'IETF Protocol Assignments', 'RFC 6890'),
  range('ipv4', '192.0.2.0', 24, 'Documentation (TEST-NET-1)', 'RFC 5737'),
  range('ipv4', '192.31.196.0', 24, 'AS112-v4', 'RFC 7535'),
  range('ipv4', '192.52.193.0', 24, 'AMT', 'RFC 7450'),
  range('ipv4', '192.88.99.0', 24, 'Deprecated (6to4 Relay Anycast)', 'RFC 7526'),
  range('ipv4', '192.168.0.0', 16, 'Private-Use', 'RFC 1918'),
  range('ipv4', '192.175.48.0', 24, 'Direct Delegation AS112 Service', 'RFC 7534'),
  range('ipv4', '198.18.0.0', 15, 'Benchmarking', 'RFC 2544'),
  range('ipv4', '198.51.100.0', 24, 'Documentation (TEST-NET-2)', 'RFC 5737'),
  range('ipv4', '203.0.113.0', 24, 'Documentation (TEST-NET-3)', 'RFC 5737'),
  range('ipv4', '224.0.0.0', 4, 'Multicast', 'RFC 5771'),
  range('ipv4', '240.0.0.0', 4, 'Reserved', 'RFC 1112'),
  range('ipv4', '255.255.255.255', 32, 'Limited Broadcast', 'RFC 919'),
  // https://www.iana.org/assignments/iana-ipv6-special-registry
  range('ipv6', '::', 128, 'Unspecified Address', 'RFC 4291'),
  range('ipv6', '::1', 128, 'Loopback Address', 'RFC 4291'),
  range('ipv6', '::ffff:0:0:0', 96, 'IPv4-translated Address', 'RFC 6145'),
  range('ipv6', '64:ff9b:1::', 48, 'IPv4-IPv6 Translation (local use)', 'RFC 8215'),
  range('ipv6', '100::', 64, 'Discard-Only Address Block', 'RFC 6666'),
  range('ipv6', '2001::', 23, 'IETF Protocol Assignments', 'RFC 2928'),
  range('ipv6', '2001::', 32, 'Teredo', 'RFC 4380'),
  range('ipv6', '2001:3::', 32, 'AMT', 'RFC 7450'),
  range('ipv6', '2001:4:112::', 48, 'AS112-v6', 'RFC 7535'),
  range('ipv6', '2001:20::', 28, 'ORCHIDv2', 'RFC 7343'),
  range('ipv6', '2001:30::', 28, 'Drone Remote ID Protocol Entity Tags', 'RFC 9374'),
  range('ipv6', '2001:db8::', 32, 'Documentation', 'RFC 3849'),
  range('ipv6', '2002::', 16, '6to4', 'RFC 3056'),
  range('ipv6', '2620:4f:8000::', 48, 'Direct Delegation AS112 Service', 'RFC 7534'),
  range('ipv6', '3fff::', 20, 'Documentation', 'RFC 9637'),
  range('ipv6', '5f00::', 16, 'Segment Routing (SRv6) SIDs', 'RFC 9602'),
  range('ipv6', 'fc00::', 7, 'Unique-Local', 'RFC 4193'),
  range('ipv6', 'fe80::', 10, 'Link-Local Unicast', 'RFC 4291'),
  range('ipv6', 'fec0::', 10, 'Site-Local (deprecated)', 'RFC 3879'),
  range('ipv6', 'ff00::', 8, 'Multicast', 'RFC 4291'),
];

const nonPublic = new BlockList();
for (const { network, prefix, family } of specialPurposeRanges) {
  nonPublic.addSubnet(network, prefix, family);
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
