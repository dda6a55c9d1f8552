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

/** Why an IPv4 address is not a public host, or undefined. */
function reservedIpv4([a, b]: number[]): string | undefined {
  if (a === 127) return 'a loopback address';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'a private address';
  if (a === 169 && b === 254) return 'a link-local address (such as the cloud metadata service)';
  if (a === 100 && b >= 64 && b <= 127) return 'a shared (carrier-grade NAT) address';
  if (a === 0) return 'an unspecified address';
  if (a >= 224) return 'a multicast or reserved address';
  return undefined;
}

function reservedIpv6(hostname: string): string | undefined {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === '::1') return 'a loopback address';
  if (host === '::') return 'an unspecified address';
  const mapped = host.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/) ?? host.match(/^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/);
  if (mapped) {
    const v4 = mapped.length === 2 ? ipv4(mapped[1]) : [parseInt(mapped[1], 16) >> 8, parseInt(mapped[1], 16) & 255, parseInt(mapped[2], 16) >> 8, parseInt(mapped[2], 16) & 255];
    if (v4) return reservedIpv4(v4);
  }
  if (/^f[cd][0-9a-f]{0,2}:/.test(host)) return 'a private address';
  if (/^fe[89ab][0-9a-f]?:/.test(host)) return 'a link-local address';
  return undefined;
}

function isLoopback(url: URL): boolean {
  const host = url.hostname.toLowerCase();
  const v4 = ipv4(host);
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || (v4 !== undefined && v4[0] === 127);
}

/** Why a URL may not be used, or undefined when it may. The text names the rule broken. */
export function urlProblem(text: string, ctx: AddressContext): string | undefined {
  if (text.length > MAX_URL_LENGTH) return `is longer than ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a valid URL';
  }
  if (url.username || url.password) return 'must not contain a user name or password';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use https';
  if (isLoopback(url)) {
    if (ctx.allowLoopback) return undefined;
    return 'points to a loopback address, which Forge cannot reach (loopback is only allowed in the sandbox)';
  }
  if (url.protocol !== 'https:') return 'must use https';
  const host = url.hostname.toLowerCase();
  const v4 = ipv4(host);
  const reserved = v4 ? reservedIpv4(v4) : host.startsWith('[') ? reservedIpv6(host) : undefined;
  if (reserved) return `points to ${reserved}, not a public host`;
  if (!v4 && !host.startsWith('[') && !host.includes('.')) return 'must name a public host (a single-label name such as "aiops" is not one)';
  return undefined;
}
