// A stand-in for Microsoft Entra in tests: an RSA key pair made here, its public key served as a JSON Web
// Key Set on 127.0.0.1 (what ENTRA_JWKS_URL points at), and Teams-SSO-shaped access tokens signed with it.
// `forger` is a second key pair that is not in the key set, for tokens that must be refused.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';

export const TEST_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const OTHER_TENANT = '0b4f1a2c-3d4e-4f50-8a6b-7c8d9e0f1a2b';
export const TEST_APP_ID = '3a8f1c2d-4b5e-4f60-9a7b-8c9d0e1f2a3b';
export const AGENTS_GROUP = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';

/** Entra people: two listed agents (by object id and by sign-in name), one in the agents' group, one who is none. */
export const PEOPLE = {
  sam: { oid: '5d6e7f80-91a2-4b3c-8d4e-5f60718293a4', name: 'Sam Agent', upn: 'sam.agent@nhs-trust.example' },
  ria: { oid: '6e7f8091-a2b3-4c4d-9e5f-60718293a4b5', name: 'Ria Agent', upn: 'ria.agent@nhs-trust.example' },
  gus: { oid: '7f8091a2-b3c4-4d5e-af60-718293a4b5c6', name: 'Gus Groupmember', upn: 'gus.groupmember@nhs-trust.example' },
  nina: { oid: '8091a2b3-c4d5-4e6f-8071-8293a4b5c6d7', name: 'Nina Notanagent', upn: 'nina.notanagent@nhs-trust.example' },
} as const;

/** DASHBOARD_AGENTS for the people above: Sam by object id, Ria by sign-in name; Gus comes in by the group. */
export const AGENTS_SETTING = `${PEOPLE.sam.oid}, ${PEOPLE.ria.upn.toUpperCase()}`;

export interface SignOptions {
  /** Sign with the forger's key (not in the key set) under the real key's kid. */
  forged?: boolean;
  kid?: string;
  /** Seconds from `now` until expiry (negative: already expired). Default one hour. */
  expiresIn?: number;
  now?: Date;
  alg?: 'RS256' | 'RS384';
}

export interface TestEntra {
  jwksUrl: string;
  /** OpenID metadata pointing at the key set (for the Bot Framework SDK's emulator-token check). */
  openIdMetadataUrl: string;
  /** How many times the key set was fetched. */
  fetches(): number;
  /** A Teams SSO access token (v2 shape) for `person`, with `claims` laid over the defaults. */
  token(person: { oid: string; name: string; upn: string }, claims?: JWTPayload, options?: SignOptions): Promise<string>;
  stop(): Promise<void>;
}

export async function startTestEntra(clock: { now(): Date }): Promise<TestEntra> {
  const kid = 'test-key-1';
  const real = await generateKeyPair('RS256', { extractable: true });
  const forger = await generateKeyPair('RS256', { extractable: true });
  const other = await generateKeyPair('RS384', { extractable: true });
  const jwks = {
    keys: [
      { ...(await exportJWK(real.publicKey)), kid, alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(other.publicKey)), kid: 'test-key-rs384', alg: 'RS384', use: 'sig' },
    ],
  };
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    fetches++;
    // OpenID metadata, as the Bot Framework SDK reads it for emulator-issued tokens.
    if (req.url === '/v2.0/.well-known/openid-configuration') {
      const { port: own } = server.address() as AddressInfo;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: `https://login.microsoftonline.com/${TEST_TENANT}/v2.0`, jwks_uri: `http://127.0.0.1:${own}/discovery/v2.0/keys` }));
      return;
    }
    if (req.url !== '/discovery/v2.0/keys') {
      // (restify patches ServerResponse, so writeHead is not chained here)
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    jwksUrl: `http://127.0.0.1:${port}/discovery/v2.0/keys`,
    openIdMetadataUrl: `http://127.0.0.1:${port}/v2.0/.well-known/openid-configuration`,
    fetches: () => fetches,
    token: async (person, claims = {}, options = {}) => {
      const now = Math.floor((options.now ?? clock.now()).getTime() / 1000);
      const alg = options.alg ?? 'RS256';
      const key: CryptoKey = options.forged ? forger.privateKey : alg === 'RS384' ? other.privateKey : real.privateKey;
      return new SignJWT({
        aud: `api://localhost:3978/${TEST_APP_ID}`,
        iss: `https://login.microsoftonline.com/${TEST_TENANT}/v2.0`,
        tid: TEST_TENANT,
        oid: person.oid,
        sub: `sub-${person.oid}`,
        name: person.name,
        preferred_username: person.upn,
        scp: 'access_as_user',
        azp: '1fec8e78-bce4-4aaf-ab1b-5451cc387264',
        ver: '2.0',
        iat: now - 60,
        nbf: now - 60,
        exp: now + (options.expiresIn ?? 3600),
        ...claims,
      })
        .setProtectedHeader({ alg, typ: 'JWT', kid: options.kid ?? (alg === 'RS384' ? 'test-key-rs384' : kid) })
        .sign(key);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
