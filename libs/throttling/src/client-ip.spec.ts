import { ClientIpResolver } from './client-ip';

describe('ClientIpResolver', () => {
  const none = new ClientIpResolver([]);
  const proxies = new ClientIpResolver(['10.0.0.0/8', '192.168.1.5', '2001:db8:ffff::/48']);

  it('uses the socket address when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(none.resolve('203.0.113.9', '1.2.3.4')).toBe('203.0.113.9');
    expect(none.resolve('::ffff:203.0.113.9', '1.2.3.4, 5.6.7.8')).toBe('203.0.113.9');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    expect(proxies.resolve('203.0.113.9', '1.2.3.4')).toBe('203.0.113.9');
  });

  it('reads X-Forwarded-For right to left from a trusted proxy, skipping trusted hops', () => {
    expect(proxies.resolve('10.1.2.3', '198.51.100.7')).toBe('198.51.100.7');
    expect(proxies.resolve('10.1.2.3', '198.51.100.7, 192.168.1.5, 10.9.9.9')).toBe('198.51.100.7');
    expect(proxies.resolve('::ffff:10.1.2.3', ['198.51.100.7', '10.2.2.2'])).toBe('198.51.100.7');
  });

  it('cannot be spoofed: the client-written (left) entries are never reached', () => {
    // The client sent "X-Forwarded-For: 1.1.1.1"; our proxy appended the real peer.
    expect(proxies.resolve('10.1.2.3', '1.1.1.1, 198.51.100.7')).toBe('198.51.100.7');
    // Even claiming to be a trusted proxy does not help: the proxy's own entry comes first.
    expect(proxies.resolve('10.1.2.3', '1.1.1.1, 10.5.5.5, 198.51.100.7')).toBe('198.51.100.7');
  });

  it('falls back to the last trusted hop on garbage, and to the leftmost when all are trusted', () => {
    expect(proxies.resolve('10.1.2.3', 'not-an-ip, <script>')).toBe('10.1.2.3');
    expect(proxies.resolve('10.1.2.3', '10.4.4.4, 10.5.5.5')).toBe('10.4.4.4');
    expect(proxies.resolve('10.1.2.3', undefined)).toBe('10.1.2.3');
  });

  it('accepts ports and bracketed IPv6 hops, and IPv6 trusted ranges', () => {
    expect(proxies.resolve('10.1.2.3', '198.51.100.7:5123')).toBe('198.51.100.7');
    expect(proxies.resolve('2001:db8:ffff::1', '[2001:db8:1::5]:443')).toBe('2001:db8:1::5');
  });

  it('groups IPv6 clients per /64 and keeps IPv4 as is', () => {
    expect(ClientIpResolver.trackerOf('2001:db8:1:2:aaaa::1')).toBe(
      ClientIpResolver.trackerOf('2001:db8:1:2:bbbb::9'),
    );
    expect(ClientIpResolver.trackerOf('2001:db8:1:2::1')).not.toBe(
      ClientIpResolver.trackerOf('2001:db8:1:3::1'),
    );
    expect(ClientIpResolver.trackerOf('203.0.113.9')).toBe('203.0.113.9');
  });

  describe('RFC 7239 Forwarded (TRUSTED_PROXY_HEADER=forwarded)', () => {
    const fwd = new ClientIpResolver(['10.0.0.0/8', '2001:db8:ffff::/48'], 'forwarded');
    const req = (peer: string, headers: Record<string, string | string[]>) =>
      fwd.fromRequest(peer, headers);

    it('reads the examples of RFC 7239 section 4 from a trusted proxy', () => {
      // Section 4: 'Forwarded: For="[2001:db8:cafe::17]:4711"' (names are case-insensitive)
      expect(req('10.1.2.3', { forwarded: 'For="[2001:db8:cafe::17]:4711"' })).toBe(
        '2001:db8:cafe::17',
      );
      // Section 4: 'Forwarded: for=192.0.2.60;proto=http;by=203.0.113.43'
      expect(req('10.1.2.3', { forwarded: 'for=192.0.2.60;proto=http;by=203.0.113.43' })).toBe(
        '192.0.2.60',
      );
      // Section 4: 'Forwarded: for=192.0.2.43, for=198.51.100.17': the rightmost untrusted hop.
      expect(req('10.1.2.3', { forwarded: 'for=192.0.2.43, for=198.51.100.17' })).toBe(
        '198.51.100.17',
      );
      // The same, as two header lines (section 4: "multiple Forwarded header fields").
      expect(req('10.1.2.3', { forwarded: ['for=192.0.2.43', 'for=198.51.100.17'] })).toBe(
        '198.51.100.17',
      );
    });

    it('stops at "unknown" and obfuscated nodes (sections 6.2, 6.3) and at malformed elements', () => {
      // Section 4: 'Forwarded: for="_gazonk"' is no address: the trusted peer stays the client.
      expect(req('10.1.2.3', { forwarded: 'for="_gazonk"' })).toBe('10.1.2.3');
      expect(req('10.1.2.3', { forwarded: 'for=unknown, for=10.9.9.9' })).toBe('10.9.9.9');
      expect(req('10.1.2.3', { forwarded: 'for=198.51.100.7;for' })).toBe('10.1.2.3');
      expect(req('10.1.2.3', { forwarded: 'proto=https' })).toBe('10.1.2.3');
    });

    it('cannot be spoofed: a client-written element never hides the one our proxy appended', () => {
      expect(req('10.1.2.3', { forwarded: 'for=1.1.1.1, for=198.51.100.7' })).toBe('198.51.100.7');
      // An unterminated quote of the client does not swallow the proxy's element.
      expect(req('10.1.2.3', { forwarded: 'for="1.1.1.1, for=198.51.100.7' })).toBe('198.51.100.7');
      expect(req('10.1.2.3', { forwarded: 'for=1.1.1.1, for=10.5.5.5, for=198.51.100.7' })).toBe(
        '198.51.100.7',
      );
    });

    it('ignores Forwarded from an untrusted peer, and X-Forwarded-For when set to Forwarded', () => {
      expect(req('203.0.113.9', { forwarded: 'for=198.51.100.7' })).toBe('203.0.113.9');
      expect(req('10.1.2.3', { 'x-forwarded-for': '198.51.100.7' })).toBe('10.1.2.3');
      // And the default resolver reads X-Forwarded-For only.
      expect(proxies.fromRequest('10.1.2.3', { forwarded: 'for=198.51.100.7' })).toBe('10.1.2.3');
      expect(proxies.fromRequest('10.1.2.3', { 'x-forwarded-for': '198.51.100.7' })).toBe(
        '198.51.100.7',
      );
    });

    it('reads the transition example of RFC 7239 section 7.4 as its X-Forwarded-For', () => {
      // Section 7.4: "X-Forwarded-For: 192.0.2.43, 2001:db8:cafe::17" becomes
      // 'Forwarded: for=192.0.2.43, for="[2001:db8:cafe::17]"'.
      const xff = proxies.resolve('10.1.2.3', '192.0.2.43, 2001:db8:cafe::17');
      expect(req('10.1.2.3', { forwarded: 'for=192.0.2.43, for="[2001:db8:cafe::17]"' })).toBe(xff);
      expect(xff).toBe('2001:db8:cafe::17');
    });
  });
});
