// Where Parley may connect to: never cloud-metadata / link-local addresses; loopback and private ranges only when
// the operator allows them (the default, since self-hosters point webhooks at n8n on the same host). Checked on
// the resolved address at connect time, so a DNS name cannot smuggle a forbidden address past the URL check.
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

export class OutboundBlockedError extends Error {
  constructor(readonly target: string, readonly reason: string) {
    super(`outbound target ${target} is not allowed: ${reason}`);
    this.name = 'OutboundBlockedError';
  }
}

const ALWAYS_BLOCKED = new BlockList();
ALWAYS_BLOCKED.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local: AWS/GCP/Azure/Oracle metadata
ALWAYS_BLOCKED.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud metadata
ALWAYS_BLOCKED.addSubnet('0.0.0.0', 8, 'ipv4');
ALWAYS_BLOCKED.addSubnet('224.0.0.0', 4, 'ipv4'); // multicast
ALWAYS_BLOCKED.addAddress('255.255.255.255', 'ipv4');
ALWAYS_BLOCKED.addSubnet('fe80::', 10, 'ipv6'); // link-local
ALWAYS_BLOCKED.addAddress('fd00:ec2::254', 'ipv6'); // AWS IPv6 metadata
ALWAYS_BLOCKED.addAddress('::', 'ipv6');
ALWAYS_BLOCKED.addSubnet('ff00::', 8, 'ipv6'); // multicast

const PRIVATE = new BlockList();
PRIVATE.addSubnet('127.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addSubnet('100.64.0.0', 10, 'ipv4'); // carrier-grade NAT
PRIVATE.addAddress('::1', 'ipv6');
PRIVATE.addSubnet('fc00::', 7, 'ipv6'); // unique local

/** `::ffff:1.2.3.4` → `1.2.3.4`, so mapped addresses meet the IPv4 rules. */
function unmap(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

export class OutboundPolicy {
  constructor(private readonly options: { blockPrivate: boolean }) {}

  /** Why an address is refused, or undefined when it is allowed. */
  refusal(address: string): string | undefined {
    const { address: a, family } = unmap(address);
    if (ALWAYS_BLOCKED.check(a, family)) return 'cloud metadata, link-local and reserved addresses are always refused';
    if (this.options.blockPrivate && PRIVATE.check(a, family)) {
      return 'loopback and private addresses are refused (PARLEY_BLOCK_PRIVATE_TARGETS=true)';
    }
    return undefined;
  }

  /** Resolves a host to its allowed addresses; throws when it has none. */
  async lookup(hostname: string): Promise<{ address: string; family: 4 | 6 }[]> {
    const host = hostname.replace(/^\[|\]$/g, '');
    const resolved = isIP(host) !== 0 ? [{ address: host, family: isIP(host) as 4 | 6 }] : await dnsLookup(host, { all: true, verbatim: true });
    const allowed = resolved.filter((r) => this.refusal(r.address) === undefined).map((r) => ({ address: r.address, family: r.family as 4 | 6 }));
    if (allowed.length === 0) {
      const first = resolved[0];
      throw new OutboundBlockedError(hostname, first === undefined ? 'it does not resolve' : (this.refusal(first.address) ?? 'refused'));
    }
    return allowed;
  }

  /** Checks a URL's scheme and resolved host (used when a target is configured, and again at connect time). */
  async check(url: URL): Promise<void> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OutboundBlockedError(url.href, 'only http and https are allowed');
    await this.lookup(url.hostname);
  }

  /** A `lookup` for net/tls connect options (and undici's `connect.lookup`): the check at connect time. */
  connectLookup = (
    hostname: string,
    options: unknown,
    callback: (error: Error | null, address: string | { address: string; family: number }[], family?: number) => void,
  ): void => {
    this.lookup(hostname).then(
      (addresses) => {
        if (typeof options === 'object' && options !== null && (options as { all?: boolean }).all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: Error) => callback(error, '', 0),
    );
  };
}
