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

/** Why an IPv4 address is not a public host, or undefined. */
function reservedIpv4([a, b]: number[]): Message | undefined {
  if (a === 127) return { key: 'address.loopback' };
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return { key: 'address.private' };
  if (a === 169 && b === 254) return { key: 'address.metadata' };
  if (a === 100 && b >= 64 && b <= 127) return { key: 'address.shared' };
  if (a === 0) return { key: 'address.unspecified' };
  if (a >= 224) return { key: 'address.multicast' };
  return undefined;
}

function reservedIpv6(hostname: string): Message | undefined {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === '::1') return { key: 'address.loopback' };
  if (host === '::') return { key: 'address.unspecified' };
  const mapped = host.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/) ?? host.match(/^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/);
  if (mapped) {
    const v4 = mapped.length === 2 ? ipv4(mapped[1]) : [parseInt(mapped[1], 16) >> 8, parseInt(mapped[1], 16) & 255, parseInt(mapped[2], 16) >> 8, parseInt(mapped[2], 16) & 255];
    if (v4) return reservedIpv4(v4);
  }
  if (/^f[cd][0-9a-f]{0,2}:/.test(host)) return { key: 'address.private' };
  if (/^fe[89ab][0-9a-f]?:/.test(host)) return { key: 'address.linkLocal' };
  return undefined;
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
  const host = url.hostname.toLowerCase();
  const v4 = ipv4(host);
  const reserved = v4 ? reservedIpv4(v4) : host.startsWith('[') ? reservedIpv6(host) : undefined;
  if (reserved) return { key: 'url.reserved', params: { what: reserved } };
  if (!v4 && !host.startsWith('[') && !host.includes('.')) return { key: 'url.singleLabel' };
  return undefined;
}
