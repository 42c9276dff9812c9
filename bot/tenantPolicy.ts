// Which Entra tenants' users may talk to the bot. A SingleTenant (or managed identity) bot admits its own
// tenant, MicrosoftAppTenantId; a MultiTenant one only ALLOWED_TENANT_IDS. Teams names the tenant on every
// activity; one that names none is admitted only while authentication is off (local use, the emulator).
import type { Activity } from 'botbuilder-core';
import type { Config } from './config.js';

export type TenantDecision = { allowed: true; tenantId?: string } | { allowed: false; tenantId?: string; reason: string };

export class TenantPolicy {
  readonly #allowed: ReadonlySet<string>;
  readonly #authOn: boolean;

  constructor(allowed: Iterable<string>, authOn: boolean) {
    this.#allowed = new Set([...allowed].map((t) => t.toLowerCase()));
    this.#authOn = authOn;
  }

  static fromConfig(config: Config): TenantPolicy {
    const allowed = config.MicrosoftAppType === 'MultiTenant' ? config.ALLOWED_TENANT_IDS : config.MicrosoftAppTenantId ? [config.MicrosoftAppTenantId] : [];
    return new TenantPolicy(allowed, Boolean(config.MicrosoftAppId));
  }

  /** Whether an activity's tenant may be served. */
  check(activity: Partial<Pick<Activity, 'channelData' | 'conversation'>>): TenantDecision {
    const fromChannelData = lower((activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id);
    const fromConversation = lower(activity.conversation?.tenantId);
    // Two different answers to one question: trust neither.
    if (fromChannelData && fromConversation && fromChannelData !== fromConversation) {
      return { allowed: false, tenantId: fromChannelData, reason: `channelData names tenant ${fromChannelData} but the conversation ${fromConversation}` };
    }
    const tenantId = fromChannelData ?? fromConversation;
    if (!tenantId) return this.#authOn ? { allowed: false, reason: 'the activity names no tenant' } : { allowed: true };
    // Nothing to compare with only when authentication is off and no tenant is configured (local use).
    if (this.#allowed.size === 0 && !this.#authOn) return { allowed: true, tenantId };
    return this.#allowed.has(tenantId) ? { allowed: true, tenantId } : { allowed: false, tenantId, reason: 'the tenant is not allowed' };
  }
}

function lower(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim().toLowerCase() : undefined;
}
