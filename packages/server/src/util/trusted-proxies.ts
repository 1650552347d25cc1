// Which peers may tell us the client's address: X-Forwarded-For is believed only from the reverse proxies listed
// in server.trustedProxies (addresses or CIDR ranges), so a client cannot pick its own address for per-IP limits.
import { BlockList, isIP } from 'node:net';
import { SottoError } from '../errors.js';

/** `::ffff:192.0.2.1` (an IPv4 peer on a dual-stack socket) is the IPv4 address 192.0.2.1. */
function normalise(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? (m[1] as string) : address;
}

export class TrustedProxies {
  private readonly list = new BlockList();
  readonly empty: boolean;

  /** `entries`: IPv4/IPv6 addresses and CIDR ranges; throws VALIDATION naming the first bad one. */
  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const entry = raw.trim();
      const [addr = '', prefix, extra] = entry.split('/');
      const family = isIP(addr);
      const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
      const maxBits = family === 6 ? 128 : 32;
      if (family === 0 || extra !== undefined || !/^\d{1,3}$/.test(String(bits)) || bits > maxBits) {
        throw new SottoError('VALIDATION', `server.trustedProxies: "${entry}" is not an IP address or CIDR range`);
      }
      this.list.addSubnet(normalise(addr), bits, family === 6 && !addr.includes('.') ? 'ipv6' : 'ipv4');
    }
    this.empty = entries.length === 0;
  }

  /** Is `address` (a peer's socket address) one of the trusted reverse proxies? */
  trusts(address: string | undefined): boolean {
    if (this.empty || !address) return false;
    const a = normalise(address);
    const family = isIP(a);
    return family !== 0 && this.list.check(a, family === 6 ? 'ipv6' : 'ipv4');
  }

  /**
   * The client's address: the peer, unless the peer is a trusted proxy; then X-Forwarded-For is walked from the
   * right (the hop the proxy added) past further trusted proxies. A malformed entry ends the walk at the last good hop.
   */
  clientIp(peer: string | undefined, forwardedFor: string | string[] | undefined): string {
    let ip = normalise(peer ?? '');
    if (!this.trusts(ip) || forwardedFor === undefined) return ip;
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',').map((h) => h.trim());
    for (let i = hops.length - 1; i >= 0 && this.trusts(ip); i--) {
      const hop = normalise(hops[i] as string);
      if (isIP(hop) === 0) break;
      ip = hop;
    }
    return ip;
  }
}
