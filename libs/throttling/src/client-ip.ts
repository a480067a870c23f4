import { type BlockList, isIP } from 'node:net';
import type { TrustedProxyHeader } from '@app/config';
import { trustedProxyList } from '@app/core';
import { normalizeIp } from '@nestjs/throttler';
import forwardedParse from 'forwarded-parse';

type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

const MAPPED_V4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;
/** A hop that is no address: the walk stops before it. */
const NOT_AN_ADDRESS = 'unknown';

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

const joined = (value: string | string[]): string =>
  Array.isArray(value) ? value.join(',') : value;

/**
 * The `for` node of one `Forwarded` element (RFC 7239 section 4), parsed by forwarded-parse.
 * Elements are split first and parsed one by one, so a malformed or unterminated element written
 * by the client (left of our proxies') cannot swallow the elements our proxies appended.
 * `unknown`, obfuscated nodes (`_hidden`, section 6.3) and parse errors are no address.
 */
function forwardedFor(element: string): string {
  try {
    return hopAddress(forwardedParse(element.trim())[0]?.for ?? NOT_AN_ADDRESS);
  } catch {
    return NOT_AN_ADDRESS;
  }
}

/**
 * The client address used to key anonymous callers. The socket peer is the client unless it is a
 * configured trusted proxy; only then is the configured header read (`X-Forwarded-For`, or RFC
 * 7239 `Forwarded` with `TRUSTED_PROXY_HEADER=forwarded`; never both, as a proxy passes on the one
 * it does not manage untouched), right to left, skipping trusted hops: the first untrusted hop was
 * appended by our own proxy and cannot be forged by the client.
 *
 * Matching is Node's `BlockList`, not proxy-addr's compiled trust (ipaddr.js): that parses every
 * address again and measured 3-5x slower per check (issue 23), on every anonymous request, for
 * nothing we use (its named ranges and netmask notation are not accepted by `TRUSTED_PROXIES`).
 */
export class ClientIpResolver {
  private readonly trusted: BlockList;
  private readonly hasTrusted: boolean;

  constructor(
    trustedProxies: readonly string[],
    private readonly header: TrustedProxyHeader = 'x-forwarded-for',
  ) {
    this.trusted = trustedProxyList(trustedProxies);
    this.hasTrusted = trustedProxies.length > 0;
  }

  isTrusted(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.trusted.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }

  /** Client address of a request, from its socket peer and the configured header. */
  fromRequest(socketAddress: string | undefined, headers: HeaderBag): string {
    return this.header === 'forwarded'
      ? this.resolveForwarded(socketAddress, headers.forwarded)
      : this.resolve(socketAddress, headers['x-forwarded-for']);
  }

  /** Client address for a socket peer and the `X-Forwarded-For` header(s). */
  resolve(socketAddress: string | undefined, forwardedFor?: string | string[]): string {
    const peer = plain(socketAddress ?? 'unknown');
    if (!this.hasTrusted || forwardedFor === undefined || !this.isTrusted(peer)) return peer;
    return this.walk(peer, joined(forwardedFor).split(','), hopAddress);
  }

  /** Client address for a socket peer and the RFC 7239 `Forwarded` header(s). */
  resolveForwarded(socketAddress: string | undefined, forwarded?: string | string[]): string {
    const peer = plain(socketAddress ?? 'unknown');
    if (!this.hasTrusted || forwarded === undefined || !this.isTrusted(peer)) return peer;
    return this.walk(peer, joined(forwarded).split(','), forwardedFor);
  }

  /** Bucket key part of an address: IPv6 clients are grouped per /64, as one host usually owns it. */
  static trackerOf(address: string): string {
    return isIP(address) === 6 ? normalizeIp(address, 64) : address;
  }

  /** Right to left; only the hops walked are parsed. */
  private walk(peer: string, hops: readonly string[], address: (hop: string) => string): string {
    let client = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = plain(address(hops[i]));
      // Garbage where our proxy should have written an address: keep the last trusted hop.
      if (isIP(hop) === 0) return client;
      client = hop;
      if (!this.isTrusted(hop)) return hop;
    }
    return client;
  }
}
