// Who may use the agents' dashboard. Inside Teams the page sends the Teams SSO token (an Entra access token
// for this app) as `Authorization: Bearer …`; it is checked here: RS256 signature against the tenant's key set,
// issuer (v2 or v1, this tenant only), audience (this app), expiry and not-before (one minute of clock skew),
// a delegated user token (`scp`), then the person must be a configured agent (object id, sign-in name, or a
// member of the agents' group). The agent's identity for every action comes from the token, never the request.
//
// Answers: 401 for a missing or bad token, 403 for a good token of someone who is not an agent, 503 when the
// server cannot check tokens (tenant or app id missing, no agents configured, key set unreachable). None of
// them carries any data. With DASHBOARD_DEV_LOGIN (never in production) a request without a token is let in
// as a fictional local agent.
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';

export interface DashboardAgent {
  /** The Entra object id (oid) from the token, lower case; the same id the channel card records. */
  id: string;
  name: string;
  /** Let in by DASHBOARD_DEV_LOGIN without a token. */
  dev: boolean;
}

export interface DashboardAuthSettings {
  /** MicrosoftAppTenantId: whose tokens and keys. */
  tenantId: string | undefined;
  /** MicrosoftAppId: the audience. */
  appId: string | undefined;
  /** PUBLIC_URL: its host is part of the Application ID URI, api://<host>/<app id>. */
  publicUrl: string;
  /** ENTRA_JWKS_URL; default https://login.microsoftonline.com/<tenant>/discovery/v2.0/keys. */
  jwksUrl: string | undefined;
  /** DASHBOARD_AGENTS: object ids and sign-in names, lower case. */
  agents: string[];
  /** DASHBOARD_AGENT_GROUP: an Entra group's object id, lower case. */
  agentGroup: string | undefined;
  /** DASHBOARD_DEV_LOGIN (config refuses it in production). */
  devLogin: boolean;
}

export type AuthFailure = 'missing_token' | 'invalid_token' | 'not_an_agent' | 'not_configured' | 'keys_unavailable';

export type AuthOutcome = { ok: true; agent: DashboardAgent } | { ok: false; status: 401 | 403 | 503; error: AuthFailure; reason: string };

/** The fictional agent of DASHBOARD_DEV_LOGIN. */
export const DEV_AGENT: DashboardAgent = { id: 'dev-local-agent', name: 'Dev Agent (local)', dev: true };

/** Allowed difference between our clock and Entra's, for exp and nbf. */
export const CLOCK_SKEW_SECONDS = 60;
const MAX_TOKEN_CHARS = 16_384;

type Log = Pick<Logger, 'info' | 'warn'>;

export class DashboardAuth {
  /** Why tokens cannot be checked (the API answers 503), or undefined when all is set. */
  readonly problem: string | undefined;
  readonly devLogin: boolean;
  readonly #clock: Clock;
  readonly #log: Log;
  readonly #keys: JWTVerifyGetKey | undefined;
  readonly #tenantId: string;
  readonly #issuers: string[];
  readonly #audiences: string[];
  readonly #agents: Set<string>;
  readonly #group: string | undefined;
  #lastProblemLog: number | undefined;

  /** `keys` replaces the remote key set (tests pass a local one). */
  constructor(settings: DashboardAuthSettings, deps: { clock: Clock; logger: Log; keys?: JWTVerifyGetKey }) {
    this.#clock = deps.clock;
    this.#log = deps.logger;
    this.devLogin = settings.devLogin;
    this.#tenantId = (settings.tenantId ?? '').toLowerCase();
    this.#agents = new Set(settings.agents.map((a) => a.toLowerCase()));
    this.#group = settings.agentGroup?.toLowerCase();
    const appId = (settings.appId ?? '').toLowerCase();
    const { host, hostname } = new URL(settings.publicUrl);
    // The Application ID URI Teams SSO asks for (with and without a port, and the bot-SSO form), and the bare app id (v2 tokens).
    this.#audiences = appId ? [...new Set([`api://${host}/${appId}`, `api://${hostname}/${appId}`, `api://${hostname}/botid-${appId}`, appId])] : [];
    this.#issuers = this.#tenantId ? [`https://login.microsoftonline.com/${this.#tenantId}/v2.0`, `https://sts.windows.net/${this.#tenantId}/`] : [];

    if (!this.#tenantId) this.problem = 'MicrosoftAppTenantId is not set, so the dashboard cannot tell which tenant\'s sign-ins to trust';
    else if (!appId) this.problem = 'MicrosoftAppId is not set, so the dashboard cannot check that a sign-in token was issued for this app';
    else if (this.#agents.size === 0 && !this.#group) this.problem = 'neither DASHBOARD_AGENTS nor DASHBOARD_AGENT_GROUP is set, so nobody is allowed to use the dashboard';
    if (!this.problem) {
      this.#keys = deps.keys ?? createRemoteJWKSet(new URL(settings.jwksUrl ?? `https://login.microsoftonline.com/${this.#tenantId}/discovery/v2.0/keys`), { timeoutDuration: 5_000 });
    }
  }

  /** Checks the request's Authorization header value. */
  async authenticate(authorization: string | undefined): Promise<AuthOutcome> {
    const header = authorization?.trim() ?? '';
    if (header === '' && this.devLogin) return { ok: true, agent: DEV_AGENT };
    if (this.problem || !this.#keys) {
      this.#logProblem();
      return { ok: false, status: 503, error: 'not_configured', reason: 'The dashboard is not set up on the server yet; the server log says what is missing.' };
    }
    const match = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i.exec(header);
    if (header === '') return { ok: false, status: 401, error: 'missing_token', reason: 'Sign in through Microsoft Teams.' };
    if (!match || header.length > MAX_TOKEN_CHARS) return this.#invalid('not a bearer JWT');

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1]!, this.#keys, {
        algorithms: ['RS256'],
        issuer: this.#issuers,
        audience: this.#audiences,
        clockTolerance: CLOCK_SKEW_SECONDS,
        currentDate: this.#clock.now(),
        requiredClaims: ['exp', 'iss', 'aud', 'oid', 'tid'],
      }));
    } catch (error) {
      if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || !(error instanceof errors.JOSEError)) {
        this.#log.warn({ err: error }, 'Could not fetch the Entra signing keys to check a dashboard sign-in');
        return { ok: false, status: 503, error: 'keys_unavailable', reason: 'Sign-ins cannot be checked at the moment. Try again shortly.' };
      }
      return this.#invalid(describeJoseError(error));
    }

    if (String(payload.tid).toLowerCase() !== this.#tenantId) return this.#invalid('token from another tenant');
    if (typeof payload.scp !== 'string' || payload.scp.trim() === '') return this.#invalid('not a delegated (user) token');
    const oid = String(payload.oid).toLowerCase();
    const names = ['preferred_username', 'upn', 'email', 'unique_name'].map((k) => payload[k]).filter((v): v is string => typeof v === 'string').map((v) => v.toLowerCase());
    const groups = Array.isArray(payload.groups) ? payload.groups.filter((g): g is string => typeof g === 'string').map((g) => g.toLowerCase()) : [];
    const listed = this.#agents.has(oid) || names.some((n) => this.#agents.has(n));
    const inGroup = this.#group !== undefined && groups.includes(this.#group);
    if (!listed && !inGroup) {
      const overage = this.#group !== undefined && groups.length === 0 && (payload.hasgroups === true || typeof (payload._claim_names as Record<string, unknown> | undefined)?.groups === 'string');
      this.#log.warn(
        { oid, groupsInToken: groups.length, ...(overage ? { hint: 'the token lists no groups because the person is in too many; assign the agents\' group to the app registration ("Groups assigned to the application") or list the agents in DASHBOARD_AGENTS' } : {}) },
        'A signed-in person who is not a configured agent tried to use the dashboard',
      );
      return { ok: false, status: 403, error: 'not_an_agent', reason: 'You are signed in, but you are not one of the ESR Helpdesk agents.' };
    }
    const name = [payload.name, payload.preferred_username, payload.upn].find((v): v is string => typeof v === 'string' && v.trim() !== '') ?? 'Agent';
    return { ok: true, agent: { id: oid, name: name.trim().slice(0, 200), dev: false } };
  }

  #invalid(why: string): AuthOutcome {
    this.#log.info({ reason: why }, 'Refused a dashboard request with an invalid sign-in token');
    return { ok: false, status: 401, error: 'invalid_token', reason: 'Your sign-in could not be checked. Close the tab and open it again.' };
  }

  // Once every ten minutes at most, so a refreshing page cannot flood the log.
  #logProblem(): void {
    const now = this.#clock.now().getTime();
    if (this.#lastProblemLog !== undefined && now - this.#lastProblemLog < 10 * 60_000) return;
    this.#lastProblemLog = now;
    this.#log.warn({ reason: this.problem }, `The agents' dashboard API refused a request: ${this.problem ?? 'not configured'}`);
  }
}

function describeJoseError(error: InstanceType<typeof errors.JOSEError>): string {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `claim ${error.claim} ${error.reason}`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature does not verify';
  if (error instanceof errors.JWKSNoMatchingKey) return 'signed by a key that is not in the tenant\'s key set';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  return error.code;
}
