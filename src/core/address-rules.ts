import type { Message } from './i18n';
import { MAX_URL_LENGTH } from './setting-defaults';

/**
 * Which URLs the app may be configured to send to. An AI Ops API reached through Forge egress is a
 * public https host: loopback, private, link-local (the cloud metadata address among them) and
 * other reserved addresses are refused, whatever notation they are written in (the WHATWG URL
 * parser turns `0x7f000001`, `2130706433` and `0177.0.0.1` into `127.0.0.1` first).
 */

export interface AddressContext {
  /** Only the sandbox allows http://127.0.0.1 style URLs. */
  allowLoopback: boolean;
}

function ipv4(hostname: string): number[] | undefined {
  const parts = hostname.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return undefined;
  const bytes = parts.map(Number);
  return bytes.every((b) => b <= 255) ? bytes : undefined;
}

const inRange = (bytes: number[], prefix: number[], bits: number) => {
  for (let bit = 0; bit < bits; bit += 1) {
    const mask = 0x80 >> bit % 8;
    if ((bytes[Math.floor(bit / 8)] & mask) !== (prefix[Math.floor(bit / 8)] & mask)) return false;
  }
  return true;
};

/**
 * IPv4 ranges that are not a public host: the IANA IPv4 Special-Purpose Address Registry
 * (iana.org/assignments/iana-ipv4-special-registry) and multicast, with the reason the admin reads.
 */
const IPV4_RANGES: Array<[number[], number, Message]> = [
  [[127, 0, 0, 0], 8, { key: 'address.loopback' }],
  [[10, 0, 0, 0], 8, { key: 'address.private' }],
  [[172, 16, 0, 0], 12, { key: 'address.private' }],
  [[192, 168, 0, 0], 16, { key: 'address.private' }],
  [[169, 254, 0, 0], 16, { key: 'address.metadata' }],
  [[100, 64, 0, 0], 10, { key: 'address.shared' }],
  [[0, 0, 0, 0], 8, { key: 'address.unspecified' }],
  [[192, 0, 0, 0], 24, { key: 'address.special' }],
  [[192, 0, 2, 0], 24, { key: 'address.documentation' }],
  [[198, 51, 100, 0], 24, { key: 'address.documentation' }],
  [[203, 0, 113, 0], 24, { key: 'address.documentation' }],
  [[198, 18, 0, 0], 15, { key: 'address.special' }],
  [[192, 88, 99, 0], 24, { key: 'address.special' }],
  [[192, 31, 196, 0], 24, { key: 'address.special' }],
  [[192, 52, 193, 0], 24, { key: 'address.special' }],
  [[192, 175, 48, 0], 24, { key: 'address.special' }],
  [[224, 0, 0, 0], 3, { key: 'address.multicast' }],
];

/** Why an IPv4 address is not a public host, or undefined. */
function reservedIpv4(bytes: number[]): Message | undefined {
  return IPV4_RANGES.find(([prefix, bits]) => inRange(bytes, prefix, bits))?.[2];
}

/** The 16 bytes of an IPv6 address as the URL parser writes it (`[...]`, compressed, maybe with a dotted IPv4 tail). */
function ipv6Bytes(hostname: string): number[] | undefined {
  let host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(host);
  if (tail) {
    const v4 = ipv4(tail[1]);
    if (!v4) return undefined;
    host = `${host.slice(0, -tail[1].length)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const halves = host.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string) => (part === '' ? [] : part.split(':'));
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  const missing = 8 - head.length - rest.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 255]);
}

/**
 * IPv6 ranges that are not a public host: the IANA IPv6 Special-Purpose Address Registry, plus the
 * deprecated site-local range and multicast. Forms that carry an IPv4 address (mapped,
 * compatible, NAT64, 6to4) are judged by that address too.
 */
const IPV6_RANGES: Array<[string, number, Message]> = [
  ['::', 128, { key: 'address.unspecified' }],
  ['::1', 128, { key: 'address.loopback' }],
  ['64:ff9b:1::', 48, { key: 'address.special' }],
  ['100::', 64, { key: 'address.special' }],
  ['2001::', 23, { key: 'address.special' }],
  ['2001:db8::', 32, { key: 'address.documentation' }],
  ['3fff::', 20, { key: 'address.documentation' }],
  ['2620:4f:8000::', 48, { key: 'address.special' }],
  ['5f00::', 16, { key: 'address.special' }],
  ['fc00::', 7, { key: 'address.private' }],
  ['fe80::', 10, { key: 'address.linkLocal' }],
  ['fec0::', 10, { key: 'address.private' }],
  ['ff00::', 8, { key: 'address.multicast' }],
];

function reservedIpv6(hostname: string): Message | undefined {
  const bytes = ipv6Bytes(hostname);
  if (!bytes) return { key: 'address.special' };
  const embedded = (at: number) => bytes.slice(at, at + 4);
  // IPv4-mapped (::ffff:0:0/96), IPv4-compatible (::/96, deprecated) and NAT64 (64:ff9b::/96) carry an IPv4 address in their last 4 bytes.
  if (inRange(bytes, ipv6Bytes('::ffff:0:0')!, 96) || inRange(bytes, ipv6Bytes('64:ff9b::')!, 96)) return reservedIpv4(embedded(12));
  if (inRange(bytes, ipv6Bytes('::')!, 96) && !inRange(bytes, ipv6Bytes('::')!, 127)) return reservedIpv4(embedded(12)) ?? { key: 'address.special' };
  // 6to4 (2002::/16, deprecated by RFC 7526) carries one in bytes 2 to 5.
  if (inRange(bytes, ipv6Bytes('2002::')!, 16)) return reservedIpv4(embedded(2)) ?? { key: 'address.special' };
  return IPV6_RANGES.find(([prefix, bits]) => inRange(bytes, ipv6Bytes(prefix)!, bits))?.[2];
}

/**
 * Names that resolve to loopback or private addresses by design: wildcard DNS services used for
 * DNS rebinding, and names only internal resolvers answer (cloud metadata among them). A name the
 * app cannot know resolves privately is left to Forge's egress proxy (docs/security.md).
 */
const REBINDING_SUFFIXES = ['nip.io', 'sslip.io', 'xip.io', 'nip.direct', 'localtest.me', 'lvh.me', 'vcap.me', 'traefik.me', 'lacolhost.com', 'rbndr.us', '1u.ms', 'fbi.com', 'localhost', 'internal', 'local', 'localdomain', 'home.arpa', 'intranet', 'corp', 'lan'];
const INTERNAL_NAMES = new Set(['metadata.google.internal', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

function privateName(host: string): boolean {
  return INTERNAL_NAMES.has(host) || REBINDING_SUFFIXES.some((suffix) => host === suffix || host.endsWith(`.${suffix}`));
}

function isLoopback(url: URL): boolean {
  const host = url.hostname.toLowerCase();
  const v4 = ipv4(host);
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || (v4 !== undefined && v4[0] === 127);
}

/** Why a URL may not be used (the rule broken, to follow the field's name), or undefined when it may. */
export function urlProblem(text: string, ctx: AddressContext): Message | undefined {
  if (text.length > MAX_URL_LENGTH) return { key: 'url.tooLong', params: { max: MAX_URL_LENGTH } };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { key: 'url.invalid' };
  }
  if (url.username || url.password) return { key: 'url.credentials' };
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { key: 'url.https' };
  if (isLoopback(url)) {
    if (ctx.allowLoopback) return undefined;
    return { key: 'url.loopback' };
  }
  if (url.protocol !== 'https:') return { key: 'url.https' };
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  const v4 = ipv4(host);
  const reserved = v4 ? reservedIpv4(v4) : host.startsWith('[') ? reservedIpv6(host) : undefined;
  if (reserved) return { key: 'url.reserved', params: { what: reserved } };
  if (!v4 && !host.startsWith('[') && !host.includes('.')) return { key: 'url.singleLabel' };
  if (!v4 && !host.startsWith('[') && privateName(host)) return { key: 'url.privateName', params: { host } };
  return undefined;
}

/**
 * A base URL that ends where the API's own paths begin (`/api/v1`, copied from the health URL, or
 * a webhook URL pasted whole): the app adds those paths itself, so the base is what comes before.
 * A path of another kind (a reverse proxy's prefix) is the admin's to choose.
 */
export function baseUrlPathProblem(text: string): Message | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const match = /(\/(?:api(?:\/v\d+)?(?:\/health)?|webhook(?:\/agents(?:\/[^/]*)?(?:\/webhook)?)?|docs))\/*$/i.exec(url.pathname);
  if (!match) return undefined;
  const base = `${url.origin}${url.pathname.slice(0, match.index)}`;
  return { key: 'url.apiPath', params: { path: match[1], base } };
}
