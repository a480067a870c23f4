import { BlockList, isIP } from 'node:net';
import { normalizeIp } from '@nestjs/throttler';

const MAPPED_V4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

function plain(address: string): string {
  const m = MAPPED_V4.exec(address);
  return m === null ? address : m[1];
}

/** Strips a port or brackets a proxy may have added (`1.2.3.4:5678`, `[2001:db8::1]:443`). */
function hopAddress(raw: string): string {
  const hop = raw.trim();
  if (hop.startsWith('[')) {
    const end = hop.indexOf(']');
    return end > 0 ? hop.slice(1, end) : hop;
  }
  const colon = hop.indexOf(':');
  if (colon > 0 && colon === hop.lastIndexOf(':') && hop.includes('.')) return hop.slice(0, colon);
  return hop;
}

/**
 * The client address used to key anonymous callers. The socket peer is the client unless it is a
 * configured trusted proxy; only then is `X-Forwarded-For` read, right to left, skipping trusted
 * hops: the first untrusted hop was appended by our own proxy and cannot be forged by the client.
 */
export class ClientIpResolver {
  private readonly trusted = new BlockList();
  private readonly hasTrusted: boolean;

  constructor(trustedProxies: readonly string[]) {
    for (const entry of trustedProxies) {
      const [address, prefix] = entry.split('/');
      const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) this.trusted.addAddress(address, type);
      else this.trusted.addSubnet(address, Number(prefix), type);
    }
    this.hasTrusted = trustedProxies.length > 0;
  }

  isTrusted(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.trusted.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }

  /** Client address for a socket peer and the `X-Forwarded-For` header(s). */
  resolve(socketAddress: string | undefined, forwardedFor?: string | string[]): string {
    const peer = plain(socketAddress ?? 'unknown');
    if (!this.hasTrusted || forwardedFor === undefined || !this.isTrusted(peer)) return peer;
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
    let client = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = plain(hopAddress(hops[i]));
      // Garbage where our proxy should have written an address: keep the last trusted hop.
      if (isIP(hop) === 0) return client;
      client = hop;
      if (!this.isTrusted(hop)) return hop;
    }
    return client;
  }

  /** Bucket key part of an address: IPv6 clients are grouped per /64, as one host usually owns it. */
  static trackerOf(address: string): string {
    return isIP(address) === 6 ? normalizeIp(address, 64) : address;
  }
}
