// Who is talking, from the activity and (in Teams) the roster: TeamsInfo.getMember gives the email and
// UPN that link a Teams account to a staff record. Looked up at most once an hour per user. Someone from a
// tenant that is not allowed (the edge refuses them first; this is the second lock) gets no identity at all.
import { TeamsInfo } from 'botbuilder';
import type { TurnContext } from 'botbuilder-core';
import type { ProfileResolver, UserProfile } from '../dialogs/deps.js';
import type { Logger } from './logger.js';
import type { TenantPolicy } from './tenantPolicy.js';

const TTL_MS = 60 * 60 * 1000;
const MAX_ENTRIES = 10_000;

export class TeamsProfileResolver implements ProfileResolver {
  readonly #cache = new Map<string, { profile: UserProfile; at: number }>();
  readonly #logger: Logger;
  readonly #tenants: TenantPolicy | undefined;

  constructor(logger: Logger, tenants?: TenantPolicy) {
    this.#logger = logger;
    this.#tenants = tenants;
  }

  async resolve(context: TurnContext): Promise<UserProfile> {
    const from = context.activity.from;
    const tenant = this.#tenants?.check(context.activity);
    if (tenant && !tenant.allowed) {
      this.#logger.warn({ tenantId: tenant.tenantId, reason: tenant.reason }, 'No staff identity for a user of a tenant that is not allowed');
      return { teamsUserId: from.id, ...(from.name ? { displayName: from.name } : {}) };
    }
    const key = `${context.activity.channelId}:${tenant?.tenantId ?? ''}:${from.id}`;
    const hit = this.#cache.get(key);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.profile;
    const profile: UserProfile = {
      teamsUserId: from.id,
      ...(from.aadObjectId ? { entraObjectId: from.aadObjectId.toLowerCase() } : {}),
      ...(from.name ? { displayName: from.name } : {}),
    };
    if (context.activity.channelId === 'msteams') {
      try {
        const member = await TeamsInfo.getMember(context, from.id);
        if (member.email) profile.email = member.email.toLowerCase();
        if (member.userPrincipalName) profile.upn = member.userPrincipalName.toLowerCase();
        if (member.givenName) profile.givenName = member.givenName;
        if (member.aadObjectId && !profile.entraObjectId) profile.entraObjectId = member.aadObjectId.toLowerCase();
      } catch (error) {
        // Not fatal: the Entra object id from the activity is usually enough to find the staff record.
        this.#logger.warn({ err: error }, 'Could not read the Teams member profile');
      }
    }
    if (this.#cache.size >= MAX_ENTRIES) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(key, { profile, at: Date.now() });
    return profile;
  }
}
