/**
 * Which network addresses the server may fetch from on a caller's behalf. URLs in requests
 * (image_url, video_url, callback_url) are attacker-controlled, so by default anything that is
 * not a public unicast address is refused: loopback, private, link-local, CGNAT, multicast,
 * reserved and the IPv6 forms that embed such an IPv4 address. Operators can open specific
 * ranges (e.g. a LAN media server) with BODYLENS_URL_ALLOWLIST.
 */
import { BlockList, isIP } from 'node:net';

const BLOCKED_V4: ReadonlyArray<[string, number]> = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata endpoints live here)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

const BLOCKED_V6: ReadonlyArray<[string, number]> = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // old site-local
  ['ff00::', 8], // multicast
];

const blocked = new BlockList();
for (const [net, prefix] of BLOCKED_V4) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of BLOCKED_V6) blocked.addSubnet(net, prefix, 'ipv6');

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), if any. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const groups = expandIpv6(lower);
  if (!groups) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zeros = (n: number) => groups.slice(0, n).every((g) => g === 0);
  if (zeros(5) && groups[5] === 0xffff) return v4(groups[6], groups[7]); // ::ffff:a.b.c.d
  if (zeros(6) && (groups[6] !== 0 || groups[7] > 1)) return v4(groups[6], groups[7]); // ::a.b.c.d
  if (groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0)) return v4(groups[6], groups[7]);
  if (groups[0] === 0x2002) return v4(groups[1], groups[2]); // 6to4
  return undefined;
}

/** "a:b::c" → eight 16-bit groups; undefined if not plain hex IPv6. */
function expandIpv6(address: string): number[] | undefined {
  const [head, tail, extra] = address.split('::');
  if (extra !== undefined) return undefined;
  const parse = (s: string) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const fill = 8 - left.length - right.length;
  if (fill < 0 || (tail === undefined && fill !== 0) || [...left, ...right].some((g) => !(g >= 0 && g <= 0xffff))) return undefined;
  return [...left, ...new Array(fill).fill(0), ...right];
}

export interface AddressPolicy {
  /** True when the server may connect to this IP address. */
  allows(address: string): boolean;
}

/**
 * `allowList`: CIDRs or single addresses that are permitted even though they are in a blocked
 * range, e.g. ["192.168.10.0/24", "127.0.0.1"].
 */
export function createAddressPolicy(allowList: readonly string[] = []): AddressPolicy {
  const allowed = new BlockList();
  for (const entry of allowList) {
    const [net, prefixText] = entry.split('/');
    const family = isIP(net);
    if (!family) throw new Error(`BODYLENS_URL_ALLOWLIST: "${entry}" is not an IP address or CIDR`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    const prefix = prefixText === undefined ? (family === 4 ? 32 : 128) : Number(prefixText);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
      throw new Error(`BODYLENS_URL_ALLOWLIST: bad prefix in "${entry}"`);
    }
    allowed.addSubnet(net, prefix, type);
  }
  const check = (list: BlockList, address: string): boolean => {
    const family = isIP(address);
    if (family === 4) return list.check(address, 'ipv4');
    if (family !== 6) return false;
    const v4 = embeddedIpv4(address);
    return list.check(address, 'ipv6') || (v4 !== undefined && list.check(v4, 'ipv4'));
  };
  return {
    allows(address) {
      if (!isIP(address)) return false;
      return check(allowed, address) || !check(blocked, address);
    },
  };
}
