import { baseUrlPathProblem, urlProblem as problemOf, type AddressContext } from './address-rules';
import { inEnglish } from './english';

/** The rule broken, in English as the admin page shows it to an English reader. */
const urlProblem = (url: string, ctx: AddressContext) => {
  const problem = problemOf(url, ctx);
  return problem && inEnglish(problem);
};

const production = { allowLoopback: false };
const sandbox = { allowLoopback: true };

describe('addresses an AI Ops API can have', () => {
  it('accepts a public https host, with a port and a path', () => {
    expect(urlProblem('https://aiops.example.com', production)).toBeUndefined();
    expect(urlProblem('https://aiops.example.com:8443/base', production)).toBeUndefined();
    expect(urlProblem('https://93.184.215.14', production)).toBeUndefined();
    expect(urlProblem('https://[2606:4700:4700::1111]', production)).toBeUndefined();
  });

  it.each([
    ['http://aiops.example.com', 'must use https'],
    ['ftp://aiops.example.com', 'must use https'],
    ['https://user:pw@aiops.example.com', 'must not contain a user name or password'],
    ['https://127.0.0.1', 'points to a loopback address, which Forge cannot reach (loopback is only allowed in the sandbox)'],
    ['https://localhost:9000', 'points to a loopback address, which Forge cannot reach (loopback is only allowed in the sandbox)'],
    ['https://0x7f000001', 'points to a loopback address, which Forge cannot reach (loopback is only allowed in the sandbox)'],
    ['https://2130706433', 'points to a loopback address, which Forge cannot reach (loopback is only allowed in the sandbox)'],
    ['https://0177.0.0.1', 'points to a loopback address, which Forge cannot reach (loopback is only allowed in the sandbox)'],
    ['https://[::1]', 'points to a loopback address, which Forge cannot reach (loopback is only allowed in the sandbox)'],
    ['https://10.0.0.5', 'points to a private address, not a public host'],
    ['https://172.20.1.1', 'points to a private address, not a public host'],
    ['https://192.168.0.10', 'points to a private address, not a public host'],
    ['https://169.254.169.254', 'points to a link-local address (such as the cloud metadata service), not a public host'],
    ['https://[::ffff:10.0.0.1]', 'points to a private address, not a public host'],
    ['https://[fe80::1]', 'points to a link-local address, not a public host'],
    ['https://100.64.0.1', 'points to a shared (carrier-grade NAT) address, not a public host'],
    ['https://aiops', 'must name a public host (a single-label name such as "aiops" is not one)'],
    ['not a url', 'is not a valid URL'],
  ])('refuses %s in production', (url, problem) => {
    expect(urlProblem(url, production)).toBe(problem);
  });

  it.each([
    // IPv4 written as IPv6: compatible (deprecated), mapped, NAT64, 6to4.
    ['https://[::7f00:1]', 'points to a loopback address, not a public host'],
    ['https://[::ffff:7f00:1]', 'points to a loopback address, not a public host'],
    ['https://[64:ff9b::a9fe:a9fe]', 'points to a link-local address (such as the cloud metadata service), not a public host'],
    ['https://[64:ff9b::10.0.0.1]', 'points to a private address, not a public host'],
    ['https://[2002:7f00:1::]', 'points to a loopback address, not a public host'],
    ['https://[2002:5db8:d70e::1]', 'points to a special-purpose address (IANA registry), not a public host'],
    ['https://[fec0::1]', 'points to a private address, not a public host'],
    ['https://[2001:db8::1]', 'points to an address reserved for documentation, not a public host'],
    ['https://[ff02::1]', 'points to a multicast or reserved address, not a public host'],
    ['https://198.18.0.1', 'points to a special-purpose address (IANA registry), not a public host'],
    ['https://198.19.255.254', 'points to a special-purpose address (IANA registry), not a public host'],
    ['https://192.0.0.170', 'points to a special-purpose address (IANA registry), not a public host'],
    ['https://203.0.113.10', 'points to an address reserved for documentation, not a public host'],
    ['https://255.255.255.255', 'points to a multicast or reserved address, not a public host'],
    // Names that resolve privately by design.
    ['https://127.0.0.1.nip.io', 'names 127.0.0.1.nip.io, a host name that resolves to a loopback or private address, not a public host'],
    ['https://localtest.me', 'names localtest.me, a host name that resolves to a loopback or private address, not a public host'],
    ['https://metadata.google.internal', 'names metadata.google.internal, a host name that resolves to a loopback or private address, not a public host'],
    ['https://aiops.nip.io.', 'names aiops.nip.io, a host name that resolves to a loopback or private address, not a public host'],
  ])('refuses %s, an IANA special-purpose address or a private name in another notation', (url, problem) => {
    expect(urlProblem(url, production)).toBe(problem);
  });

  it('caps URLs at 2,048 characters', () => {
    expect(urlProblem(`https://aiops.example.com/${'x'.repeat(2022)}`, production)).toBeUndefined();
    expect(urlProblem(`https://aiops.example.com/${'x'.repeat(2023)}`, production)).toBe('is longer than 2048 characters');
  });

  it('lets the sandbox use loopback, over http too, and nothing else private', () => {
    expect(urlProblem('http://127.0.0.1:9000', sandbox)).toBeUndefined();
    expect(urlProblem('https://10.0.0.5', sandbox)).toBe('points to a private address, not a public host');
  });
});

describe('the base URL is the API\'s root', () => {
  it.each([
    ['https://aiops.example.com/api/v1', 'ends with /api/v1, which the app adds itself: remove it and use https://aiops.example.com'],
    ['https://aiops.example.com/api/v1/health', 'ends with /api/v1/health, which the app adds itself: remove it and use https://aiops.example.com'],
    ['https://aiops.example.com/proxy/webhook/agents/7d3f9a2e-4b1c-4e8d-9f6a-2c5b8e1d0a3f/webhook', 'ends with /webhook/agents/7d3f9a2e-4b1c-4e8d-9f6a-2c5b8e1d0a3f/webhook, which the app adds itself: remove it and use https://aiops.example.com/proxy'],
  ])('flags %s', (url, problem) => {
    expect(inEnglish(baseUrlPathProblem(url)!)).toBe(problem);
  });

  it('leaves a proxy prefix alone', () => {
    expect(baseUrlPathProblem('https://gw.example.com/aiops')).toBeUndefined();
    expect(baseUrlPathProblem('https://aiops.example.com')).toBeUndefined();
  });
});
