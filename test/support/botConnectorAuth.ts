// A stand-in for the Bot Connector's side of authentication (Microsoft's cloud, which cannot run here): its
// OpenID metadata and signing keys (with Teams' endorsement) served on 127.0.0.1, tokens signed as the Bot
// Connector signs them for /api/messages, and reply credentials that need no token service. `forged` signs
// with a key that is not in the set, under the real key's id.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServiceClientCredentialsFactory } from 'botframework-connector';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import type { BotFrameworkEndpoints } from '../../bot/adapter.js';

export const BOT_CONNECTOR_ISSUER = 'https://api.botframework.com';

export interface TestBotConnectorAuth {
  /** Pass as AppOptions.botFramework. */
  endpoints: BotFrameworkEndpoints;
  /** A token as the Bot Connector sends with an activity for `appId` from `serviceUrl`. */
  channelToken(options: { appId: string; serviceUrl: string; claims?: JWTPayload; forged?: boolean }): Promise<string>;
  stop(): Promise<void>;
}

/** Replies are signed with a placeholder: the capture connector does not check them. */
class LocalCredentialsFactory extends ServiceClientCredentialsFactory {
  readonly #appId: string;
  constructor(appId: string) {
    super();
    this.#appId = appId;
  }
  isValidAppId(appId: string): Promise<boolean> {
    return Promise.resolve(appId === this.#appId);
  }
  isAuthenticationDisabled(): Promise<boolean> {
    return Promise.resolve(false);
  }
  createCredentials(): ReturnType<ServiceClientCredentialsFactory['createCredentials']> {
    return Promise.resolve({
      signRequest: (request: { headers: { set(name: string, value: string): void } }) => {
        request.headers.set('authorization', 'Bearer local-test-credentials');
        return Promise.resolve(request);
      },
    } as unknown as Awaited<ReturnType<ServiceClientCredentialsFactory['createCredentials']>>);
  }
}

export async function startTestBotConnectorAuth(options: { appId: string; now: () => Date; emulatorOpenIdMetadataUrl?: string }): Promise<TestBotConnectorAuth> {
  const kid = 'bot-connector-key-1';
  const real = await generateKeyPair('RS256', { extractable: true });
  const forger = await generateKeyPair('RS256', { extractable: true });
  const jwks = { keys: [{ ...(await exportJWK(real.publicKey)), kid, alg: 'RS256', use: 'sig', endorsements: ['msteams'] }] };
  const server: Server = createServer((req, res) => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const body = req.url === '/v1/.well-known/openidconfiguration' ? { issuer: BOT_CONNECTOR_ISSUER, jwks_uri: `${base}/v1/.well-known/keys` } : req.url === '/v1/.well-known/keys' ? jwks : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(body ? JSON.stringify(body) : '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoints: {
      channelOpenIdMetadataUrl: `${base}/v1/.well-known/openidconfiguration`,
      ...(options.emulatorOpenIdMetadataUrl ? { emulatorOpenIdMetadataUrl: options.emulatorOpenIdMetadataUrl } : {}),
      credentialsFactory: new LocalCredentialsFactory(options.appId),
    },
    channelToken: ({ appId, serviceUrl, claims = {}, forged = false }) => {
      const now = Math.floor(options.now().getTime() / 1000);
      return new SignJWT({ iss: BOT_CONNECTOR_ISSUER, aud: appId, serviceurl: serviceUrl, nbf: now - 60, iat: now - 60, exp: now + 3600, ...claims })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
        .sign(forged ? forger.privateKey : real.privateKey);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
