// Which address a request comes from behind reverse proxies: only what our own proxies wrote is believed.
import { expect } from 'chai';
import { clientAddress, describeTrustProxy, parseTrustProxy, type TrustProxy } from '../../web/clientAddress.js';

describe('clientAddress', () => {
  const cases: Array<[what: string, socket: string, forwardedFor: string | undefined, trust: TrustProxy, expected: string]> = [
    ['with no proxy trusted, is the socket address, whatever the header says', '198.51.100.9', '203.0.113.7', { hops: 0 }, '198.51.100.9'],
    ['behind one proxy, is the address that proxy saw (the last entry)', '10.0.0.5', '203.0.113.7', { hops: 1 }, '203.0.113.7'],
    ['behind one proxy, ignores entries the client made up in front of it', '10.0.0.5', '1.1.1.1, 2.2.2.2, 203.0.113.7', { hops: 1 }, '203.0.113.7'],
    ['behind two proxies, is the address the outer one saw', '10.0.0.5', '6.6.6.6, 203.0.113.7, 10.0.0.9', { hops: 2 }, '203.0.113.7'],
    ['behind one proxy with no header, is the socket address', '10.0.0.5', undefined, { hops: 1 }, '10.0.0.5'],
    ['trusting more hops than there are, is the furthest address known', '10.0.0.5', '203.0.113.7', { hops: 3 }, '203.0.113.7'],
    ['with a list, skips every listed proxy from the socket back', '10.0.0.5', '6.6.6.6, 203.0.113.7, 10.1.2.3', { proxies: ['10.0.0.5', '10.1.0.0/16'] }, '203.0.113.7'],
    ['with a list, stops at the first address not on it, even if a later one is', '10.0.0.5', '10.1.2.3, 203.0.113.7', { proxies: ['10.0.0.5', '10.1.0.0/16'] }, '203.0.113.7'],
    ['with a list, does not believe the header from a socket not on it', '198.51.100.9', '203.0.113.7', { proxies: ['10.0.0.5'] }, '198.51.100.9'],
    ['with an IPv6 range', '2001:db8::5', '203.0.113.7', { proxies: ['2001:db8::/32'] }, '203.0.113.7'],
    ['reads an IPv4 socket address on a dual-stack server as IPv4', '::ffff:10.0.0.5', '203.0.113.7', { proxies: ['10.0.0.5'] }, '203.0.113.7'],
    ['drops the port some proxies (Azure) add', '10.0.0.5', '203.0.113.7:51234', { hops: 1 }, '203.0.113.7'],
    ['drops the port of a bracketed IPv6 entry', '10.0.0.5', '[2001:db8::7]:443', { hops: 1 }, '2001:db8::7'],
  ];
  for (const [what, socket, forwardedFor, trust, expected] of cases) {
    it(what, () => {
      expect(clientAddress(socket, forwardedFor, trust)).to.equal(expected);
    });
  }
});

describe('parseTrustProxy (TRUST_PROXY)', () => {
  it('reads a number of hops, empty as 0', () => {
    expect(parseTrustProxy('')).to.deep.equal({ hops: 0 });
    expect(parseTrustProxy('0')).to.deep.equal({ hops: 0 });
    expect(parseTrustProxy(' 1 ')).to.deep.equal({ hops: 1 });
    expect(parseTrustProxy('2')).to.deep.equal({ hops: 2 });
  });

  it('still reads the old true and false, as one proxy and none', () => {
    expect(parseTrustProxy('false')).to.deep.equal({ hops: 0 });
    expect(parseTrustProxy('TRUE')).to.deep.equal({ hops: 1 });
  });

  it('reads a comma-separated list of addresses and CIDR ranges', () => {
    expect(parseTrustProxy('10.0.0.5, 10.1.0.0/16,2001:DB8::/32')).to.deep.equal({ proxies: ['10.0.0.5', '10.1.0.0/16', '2001:db8::/32'] });
  });

  for (const bad of ['yes', '11', '-1', '10.0.0.300', '10.0.0.0/33', '2001:db8::/129', 'proxy.example', '10.0.0.5,,nope', '10.0.0.0/8/1']) {
    it(`refuses "${bad}", saying what it should be`, () => {
      expect(() => parseTrustProxy(bad)).to.throw(/should be/);
    });
  }

  it('describes itself for the start-up summary', () => {
    expect(describeTrustProxy({ hops: 0 })).to.equal('no proxy');
    expect(describeTrustProxy({ hops: 1 })).to.equal('1 proxy');
    expect(describeTrustProxy({ proxies: ['10.0.0.5', '10.1.0.0/16'] })).to.equal('proxies 10.0.0.5, 10.1.0.0/16');
  });
});
