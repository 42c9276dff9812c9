// Who is asking, for per-visitor limits and the audit log's actor, when the bot may sit behind reverse
// proxies. X-Forwarded-For is a list each proxy appends to; its first entries are whatever the client sent,
// so only the entries our own proxies added can be believed. As Express's "trust proxy": walk from the
// socket address back through the list, skipping trusted proxies, and take the first address that is not one.
import { BlockList, isIP } from 'node:net';

/** How many proxies in front of us to trust, or which ones (addresses or CIDR ranges). */
export type TrustProxy = { hops: number } | { proxies: string[] };

export const MAX_PROXY_HOPS = 10;

/**
 * Reads TRUST_PROXY: a number of hops ("0": no proxy, "1": one), or a comma-separated list of proxy addresses
 * and CIDR ranges. "false" is 0 and "true" is 1 (what it always meant: one proxy). Throws with what is wrong.
 */
export function parseTrustProxy(value: string): TrustProxy {
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'false') return { hops: 0 };
  if (v === 'true') return { hops: 1 };
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops > MAX_PROXY_HOPS) throw new Error(`should be a number of proxies from 0 to ${MAX_PROXY_HOPS}, or their addresses (got "${value}")`);
    return { hops };
  }
  const proxies = v.split(',').map((p) => p.trim()).filter(Boolean);
  const bad = proxies.filter((p) => !validRange(p));
  if (proxies.length === 0 || bad.length > 0) {
    throw new Error(`should be the number of reverse proxies in front of the bot (0 or 1, usually), or their IP addresses or CIDR ranges, comma-separated, like 10.0.0.5,10.1.0.0/16 (not valid: ${bad.map((b) => `"${b}"`).join(', ') || `"${value}"`})`);
  }
  return { proxies };
}

/** Describes the setting for the start-up summary and logs. */
export function describeTrustProxy(trust: TrustProxy): string {
  if ('proxies' in trust) return `proxies ${trust.proxies.join(', ')}`;
  return trust.hops === 0 ? 'no proxy' : `${trust.hops} prox${trust.hops === 1 ? 'y' : 'ies'}`;
}

/** The client's address: the socket's own, or the last one in X-Forwarded-For that no trusted proxy wrote. */
export function clientAddress(socketAddress: string | undefined, forwardedFor: string | undefined, trust: TrustProxy): string {
  const chain = [socketAddress ?? 'unknown', ...(forwardedFor ?? '').split(',').map((a) => a.trim()).filter(Boolean).reverse()].map(normalise);
  const trusted = isTrusted(trust);
  for (let i = 0; i < chain.length - 1; i++) {
    if (!trusted(chain[i]!, i)) return chain[i]!;
  }
  // Every hop is trusted: the furthest address we know of is the client.
  return chain[chain.length - 1]!;
}

function isTrusted(trust: TrustProxy): (address: string, hop: number) => boolean {
  if ('hops' in trust) return (_address, hop) => hop < trust.hops;
  const list = new BlockList();
  for (const p of trust.proxies) {
    const [address, prefix] = p.split('/') as [string, string | undefined];
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return (address) => {
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };
}

function validRange(range: string): boolean {
  const [address, prefix, ...rest] = range.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32);
}

// Proxies write "1.2.3.4:5678" or "[::1]:5678" (Azure does), and Node gives "::ffff:1.2.3.4" for IPv4 on a
// dual-stack socket: all compare as the bare address.
function normalise(address: string): string {
  let a = address.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracketed) a = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(':'));
  const mapped = /^::ffff:(\d{1,3}(\.\d{1,3}){3})$/i.exec(a);
  return (mapped ? mapped[1]! : a).toLowerCase();
}
