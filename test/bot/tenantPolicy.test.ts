// Which tenants' activities the bot serves, from the settings, including the activity that names none.
import { expect } from 'chai';
import { loadConfig } from '../../bot/config.js';
import { TenantPolicy } from '../../bot/tenantPolicy.js';

const APP_ID = '11111111-2222-4333-8444-555555555555';
const OURS = '66666666-7777-4888-9999-000000000000';
const THEIRS = '0b4f1a2c-3d4e-4f50-8a6b-7c8d9e0f1a2b';
const activity = (tenantId?: string) => (tenantId ? { channelData: { tenant: { id: tenantId } }, conversation: { id: 'c', tenantId } as never } : { channelData: {}, conversation: { id: 'c' } as never });

describe('the tenant policy', () => {
  const singleTenant = TenantPolicy.fromConfig(loadConfig({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 's', MicrosoftAppTenantId: OURS }));
  const multiTenant = TenantPolicy.fromConfig(loadConfig({ MicrosoftAppType: 'MultiTenant', MicrosoftAppId: APP_ID, MicrosoftAppPassword: 's', ALLOWED_TENANT_IDS: `${OURS},${THEIRS}` }));
  const local = TenantPolicy.fromConfig(loadConfig({}));
  const localWithTenant = TenantPolicy.fromConfig(loadConfig({ MicrosoftAppTenantId: OURS }));

  const cases: Array<{ name: string; policy: TenantPolicy; tenant?: string; allowed: boolean }> = [
    { name: 'a SingleTenant bot serves its own tenant, in any letter case', policy: singleTenant, tenant: OURS.toUpperCase(), allowed: true },
    { name: 'a SingleTenant bot refuses another tenant', policy: singleTenant, tenant: THEIRS, allowed: false },
    { name: 'a bot with authentication on refuses an activity that names no tenant', policy: singleTenant, allowed: false },
    { name: 'a MultiTenant bot serves each tenant in ALLOWED_TENANT_IDS', policy: multiTenant, tenant: THEIRS, allowed: true },
    { name: 'a MultiTenant bot refuses a tenant not in ALLOWED_TENANT_IDS', policy: multiTenant, tenant: '99999999-8888-4777-8666-555555555555', allowed: false },
    { name: 'a local bot (authentication off) serves an activity with no tenant, as the emulator sends', policy: local, allowed: true },
    { name: 'a local bot with no tenant configured serves any tenant', policy: local, tenant: THEIRS, allowed: true },
    { name: 'a local bot with a tenant configured still refuses another tenant', policy: localWithTenant, tenant: THEIRS, allowed: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(c.policy.check(activity(c.tenant)).allowed).to.equal(c.allowed);
    });
  }
});
