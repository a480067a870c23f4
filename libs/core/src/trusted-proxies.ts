import { BlockList, isIP } from 'node:net';

/**
 * `TRUSTED_PROXIES` entries (addresses and CIDR subnets, v4 or v6) as one `BlockList`, so every
 * check by the edge (connection caps) and by the client-address walk (rate limits, logs) agrees on
 * what counts as our own balancer.
 */
export function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}
