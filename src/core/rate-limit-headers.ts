/**
 * Jira's structured rate limit headers ("Rate limiting", Jira Cloud platform, "Header format"):
 * `RateLimit-Policy: "global-app-quota";q=65000;w=3600` and `RateLimit: "global-app-quota";r=11000;t=600`,
 * one or more policy entries separated by commas, attributes by semicolons, in no fixed order.
 * Before enforcement the same headers carry a `Beta-` prefix. `r` (remaining) appears only once
 * less than about 20% is left.
 */

export interface QuotaReading {
  /** `global-app-quota` (Tier 1, shared by every site of the app) or `tenant-app-quota` (Tier 2). */
  policy: string;
  /** Points an hour, and the window in seconds. */
  quota?: number;
  windowSeconds?: number;
  /** Points left, when Jira says (near the limit). */
  remaining?: number;
  /** Seconds until the window resets. */
  resetSeconds?: number;
}

type Entries = Map<string, Record<string, number>>;

/** Policy entries of one header value: name to its numeric attributes. */
export function parseRateLimitHeader(value: string | null | undefined): Entries {
  const entries: Entries = new Map();
  for (const entry of (value ?? '').split(',')) {
    const [name, ...attributes] = entry.split(';').map((part) => part.trim());
    const policy = name?.replace(/^"|"$/g, '');
    if (!policy) continue;
    const values: Record<string, number> = {};
    for (const attribute of attributes) {
      const [key, raw] = attribute.split('=');
      const n = Number(raw);
      if (key && Number.isFinite(n)) values[key.trim()] = n;
    }
    entries.set(policy, values);
  }
  return entries;
}

/** The hourly quota Jira reports on an answer (enforced or beta headers), if any. */
export function quotaReading(header: (name: string) => string | null): QuotaReading | undefined {
  const policies = parseRateLimitHeader(header('ratelimit-policy') ?? header('beta-ratelimit-policy'));
  const states = parseRateLimitHeader(header('ratelimit') ?? header('beta-ratelimit'));
  const policy = ['global-app-quota', 'tenant-app-quota'].find((name) => policies.has(name) || states.has(name));
  if (!policy) return undefined;
  const p = policies.get(policy) ?? {};
  const s = states.get(policy) ?? {};
  return { policy, quota: p.q, windowSeconds: p.w, remaining: s.r, resetSeconds: s.t };
}
