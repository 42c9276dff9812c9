// The Bot Framework adapter, strict at the internet-facing edge. Every request to /api/messages is
// authenticated by the SDK and then:
// - any authentication failure is a 401 (the SDK answers 500 for some, e.g. a bad signature under a known
//   key id, because the JWT library's error is not its AuthenticationError);
// - in production only tokens the Bot Connector issued are accepted: the SDK's emulator path takes a token's
//   own tenant as a trusted issuer and checks no audience, so it would admit any Entra tenant;
// - an activity from a tenant the TenantPolicy does not allow is answered 403 and never reaches the bot.
import { CloudAdapter } from 'botbuilder';
import type { Activity, InvokeResponse, TurnContext } from 'botbuilder-core';
import { AuthenticationConstants, AuthenticationError, type AuthenticateRequestResult, type BotFrameworkAuthentication } from 'botframework-connector';
import { decodeJwt } from 'jose';
import type { Logger } from './logger.js';
import type { TenantPolicy } from './tenantPolicy.js';

export interface EdgeOptions {
  tenants: TenantPolicy;
  /** Production: refuse every token not issued by the Bot Connector (emulator and skill tokens). */
  channelTokensOnly: boolean;
  /** The Bot Connector's token issuer. */
  channelTokenIssuer?: string;
  logger: Logger;
}

type Logic = (context: TurnContext) => Promise<void>;

export class EdgeCloudAdapter extends CloudAdapter {
  readonly #edge: EdgeOptions;

  constructor(auth: BotFrameworkAuthentication, edge: EdgeOptions) {
    super(auth);
    this.#edge = edge;
  }

  protected override processActivity(authHeader: string, activity: Activity, logic: Logic): Promise<InvokeResponse | undefined>;
  protected override processActivity(result: AuthenticateRequestResult, activity: Activity, logic: Logic): Promise<InvokeResponse | undefined>;
  protected override async processActivity(auth: string | AuthenticateRequestResult, activity: Activity, logic: Logic): Promise<InvokeResponse | undefined> {
    // Already authenticated (streaming, direct calls): nothing of the edge's to check.
    if (typeof auth !== 'string') return super.processActivity(auth, activity, logic);
    // A refusal is returned as the response, not thrown: CloudAdapter.process turns thrown errors into
    // 401 or 500 only, and prints them to the console.
    const authenticated = await this.#authenticate(auth, activity);
    if ('refused' in authenticated) return { status: 401, body: { error: 'unauthorized' } };
    const tenant = this.#edge.tenants.check(activity);
    if (!tenant.allowed) {
      this.#edge.logger.warn(
        { tenantId: tenant.tenantId, reason: tenant.reason, activityType: activity.type, channelId: activity.channelId, aadObjectId: activity.from?.aadObjectId },
        'Refused an activity from a tenant that is not allowed',
      );
      return { status: 403, body: { error: 'tenant_not_allowed' } };
    }
    return super.processActivity(authenticated.result, activity, logic);
  }

  async #authenticate(authHeader: string, activity: Activity): Promise<{ result: AuthenticateRequestResult } | { refused: string }> {
    const refuse = (reason: string, error?: unknown) => {
      // A key set we could not fetch is our problem, not the caller's: said louder.
      const ours = error instanceof AuthenticationError && error.statusCode >= 500;
      this.#edge.logger[ours ? 'error' : 'warn']({ reason, err: error, channelId: activity.channelId }, 'Refused a request to /api/messages that did not authenticate');
      return { refused: reason };
    };
    if (this.#edge.channelTokensOnly) {
      const issuer = issuerOf(authHeader);
      const expected = this.#edge.channelTokenIssuer ?? AuthenticationConstants.ToBotFromChannelTokenIssuer;
      if (issuer !== expected) return refuse(issuer ? `token issued by ${issuer}, not the Bot Connector` : 'no readable bearer token');
    }
    try {
      return { result: await this.botFrameworkAuthentication.authenticateRequest(activity, authHeader) };
    } catch (error) {
      return refuse((error as Error).message || 'authentication failed', error);
    }
  }
}

/** The `iss` of a bearer token, read without checking it (the SDK checks it next). */
function issuerOf(authHeader: string): string | undefined {
  const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(authHeader.trim());
  if (!match) return undefined;
  try {
    const { iss } = decodeJwt(match[1]!);
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}
