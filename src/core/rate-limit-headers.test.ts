import { parseRateLimitHeader, quotaReading } from './rate-limit-headers';

const from = (headers: Record<string, string>) => (name: string) => headers[name.toLowerCase()] ?? null;

describe('Jira rate limit headers (docs "Rate limiting", Header format)', () => {
  it('reads the documented examples: several entries in any order, r only near the limit', () => {
    expect(parseRateLimitHeader('"global-app-quota";q=65000;w=3600,"jira-burst-based";q=100;w=1')).toEqual(
      new Map([
        ['global-app-quota', { q: 65000, w: 3600 }],
        ['jira-burst-based', { q: 100, w: 1 }],
      ]),
    );
    expect(quotaReading(from({ 'ratelimit-policy': '"global-app-quota";q=65000;w=3600', ratelimit: '"global-app-quota";t=3200' }))).toEqual({
      policy: 'global-app-quota',
      quota: 65000,
      windowSeconds: 3600,
      remaining: undefined,
      resetSeconds: 3200,
    });
    expect(quotaReading(from({ 'beta-ratelimit-policy': '"jira-burst-based";q=100;w=1, "tenant-app-quota";q=150000;w=3600', 'beta-ratelimit': '"tenant-app-quota";r=11000;t=600' }))).toMatchObject({
      policy: 'tenant-app-quota',
      quota: 150000,
      remaining: 11000,
      resetSeconds: 600,
    });
  });

  it('answers nothing when Jira sends no quota policy', () => {
    expect(quotaReading(from({}))).toBeUndefined();
    expect(quotaReading(from({ 'ratelimit-policy': '"jira-burst-based";q=100;w=1' }))).toBeUndefined();
    expect(parseRateLimitHeader('garbage;;q=x')).toEqual(new Map([['garbage', {}]]));
  });
});
