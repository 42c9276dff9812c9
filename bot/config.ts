// Settings come from the environment (and a .env file), validated once at start-up. A bad value stops
// the bot with a message that names the setting; nothing starts half-configured.
import { z } from 'zod';
import { DEFAULT_ATTACHMENT_HOSTS } from './attachments.js';
import type { OfficeHours } from '../tickets/officeHours.js';
import { parseTrustProxy, type TrustProxy } from '../web/clientAddress.js';

// Empty counts as unset, as for every setting (so an .env line like `SEED_DEMO_DATA=` means the default).
const bool = (fallback: boolean) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim().toLowerCase() : v),
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'should be true or false' })
      .optional()
      .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes'].includes(v))),
  );

const int = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `should be a whole number from ${min} to ${max} (got "${v}")` });
        return z.NEVER;
      }
      return n;
    });

const url = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? fallback : v.trim().replace(/\/+$/, '')))
    .pipe(z.url({ protocol: /^https?$/, message: 'should be a full http(s) URL, like https://esr-helpdesk.example.nhs.uk' }));

const text = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? fallback : v.trim()));

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const email = (fallback: string) => text(fallback).pipe(z.email({ message: 'should be an email address' }));

// "Mon-Fri 09:00-17:00": the days and hours the Workforce Information team answers.
const OFFICE_HOURS = /^(mon|tue|wed|thu|fri|sat|sun)-(mon|tue|wed|thu|fri|sat|sun) ([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$/i;
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export type { OfficeHours } from '../tickets/officeHours.js';

/** "Mon-Fri 09:00-17:00" as OfficeHours; also used for each entry of the organisations file. */
export const officeHoursSchema = z.string().trim().transform((v, ctx): OfficeHours => {
  const m = OFFICE_HOURS.exec(v);
  if (!m) {
    ctx.addIssue({ code: 'custom', message: `should look like "Mon-Fri 09:00-17:00" (got "${v}")` });
    return z.NEVER;
  }
  const from = DAYS.indexOf(m[1]!.toLowerCase());
  const to = DAYS.indexOf(m[2]!.toLowerCase());
  const days: number[] = [];
  for (let d = from; ; d = (d + 1) % 7) {
    days.push(d);
    if (d === to) break;
  }
  const opensAt = Number(m[3]) * 60 + Number(m[4]);
  const closesAt = Number(m[5]) * 60 + Number(m[6]);
  if (closesAt <= opensAt) {
    ctx.addIssue({ code: 'custom', message: `closing time should be after opening time (got "${v}")` });
    return z.NEVER;
  }
  return { days, opensAt, closesAt };
});

const officeHours = text('Mon-Fri 09:00-17:00').pipe(officeHoursSchema);

/** The organisations file's default name, inside DATA_DIR. */
export const DEFAULT_ORGANISATIONS_FILE = 'organisations.json';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A sign-in name (UPN) or email: something@domain.tld, no spaces.
const UPN = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;

/** An IANA time zone name that this Node knows. */
export const timeZoneSchema = z.string().trim().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-GB', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'should be an IANA time zone, like Europe/London' },
);

const timeZone = text('Europe/London').pipe(timeZoneSchema);

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test'], { message: 'should be development, production or test' }).default('development'),
  MicrosoftAppId: optionalText,
  MicrosoftAppPassword: optionalText,
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'], { message: 'should be SingleTenant, MultiTenant or UserAssignedMSI' }).default('SingleTenant'),
  MicrosoftAppTenantId: optionalText,
  PORT: int(3978, 0, 65535),
  // Unset: http://localhost:<PORT>, filled in by loadConfig once PORT is known.
  PUBLIC_URL: optionalText.pipe(url('').optional()),
  DATA_DIR: text('./data'),
  // The PostgreSQL database for the stores that have moved there (storage/openStores.ts); unset: files in DATA_DIR.
  DATABASE_URL: optionalText.pipe(z.url({ protocol: /^postgres(ql)?$/, message: 'should be a postgres:// or postgresql:// URL, like postgres://esr_helpdesk:password@db.example.nhs.uk:5432/esr_helpdesk?sslmode=require' }).optional()),
  // Several organisations served by one deployment: see README "Organisations". Relative to DATA_DIR; no file: one organisation, from the settings.
  ORGANISATIONS_FILE: text(DEFAULT_ORGANISATIONS_FILE),
  SMTP_URL: optionalText.pipe(z.url({ protocol: /^smtps?$/, message: 'should be an smtp:// or smtps:// URL, like smtp://user:pass@mail.example.nhs.uk:587' }).optional()),
  MAIL_FROM: text('ESR Helpdesk <esr-helpdesk@nhs-trust.example>'),
  ESR_ORG_CODE: text('241').pipe(z.string().regex(/^\d{3}$/, 'should be the three-digit ESR organisation code, like 241')),
  ESR_ORG_NAME: text('241 Bolton Hospitals NHS Trust'),
  TRUST_NAME: text('Bolton NHS Foundation Trust'),
  ESR_LOGIN_URL: url('https://my.esr.nhs.uk'),
  WORKFORCE_EMAIL: email('workforce.information@nhs-trust.example'),
  WORKFORCE_PHONE: optionalText,
  WORKFORCE_LOCATION: text('Workforce Directorate, N Block, Ground Floor'),
  LEAD_EMPLOYER_EMAIL: email('lead.employer@nhs-trust.example'),
  OFFICE_HOURS: officeHours,
  TIME_ZONE: timeZone,
  LOCALE: z.enum(['en-GB', 'cy-GB'], { message: 'should be en-GB or cy-GB' }).default('en-GB'),
  MAX_FAILED_SIGNINS: int(5, 1, 100),
  RESET_LINK_HOURS: int(4, 1, 72),
  SEED_DEMO_DATA: bool(true),
  ACCOUNT_HELP_PER_HOUR: int(5, 1, 1000),
  RETENTION_DAYS: int(90, 1, 3650),
  DATABASE_POOL_SIZE: int(10, 2, 500),
  DATABASE_LOCK_POOL_SIZE: int(10, 1, 500),
  TRUST_PROXY: text('0').transform((v, ctx): TrustProxy => {
    try {
      return parseTrustProxy(v);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  }),
  ATTACHMENT_HOSTS: text(DEFAULT_ATTACHMENT_HOSTS.join(',')).transform((v) => v.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean)).pipe(
    z.array(z.string().regex(/^(\*\.)?[a-z0-9.-]+$/, 'should be a comma-separated list of host names, like smba.trafficmanager.net,*.sharepoint.com')).min(1, 'needs at least one host'),
  ),
  DASHBOARD_AGENTS: text('').transform((v, ctx) => {
    const entries = v.split(',').map((e) => e.trim().toLowerCase()).filter(Boolean);
    const bad = entries.filter((e) => !GUID.test(e) && !UPN.test(e));
    if (bad.length > 0) {
      ctx.addIssue({ code: 'custom', message: `should be a comma-separated list of Entra object ids (GUIDs) or sign-in names (UPNs/emails), like 00000000-0000-0000-0000-000000000000,sam.agent@nhs-trust.example (not valid: ${bad.map((b) => `"${b}"`).join(', ')})` });
      return z.NEVER;
    }
    return entries;
  }),
  DASHBOARD_AGENT_GROUP: optionalText.pipe(z.string().regex(GUID, 'should be the object id (a GUID) of an Entra security group, like 00000000-0000-0000-0000-000000000000').transform((v) => v.toLowerCase()).optional()),
  ENTRA_JWKS_URL: optionalText.pipe(z.url({ protocol: /^https?$/, message: 'should be a full http(s) URL of a JSON Web Key Set, like https://login.microsoftonline.com/<tenant>/discovery/v2.0/keys' }).optional()),
  DASHBOARD_DEV_LOGIN: bool(false),
  // How the bot meets the real ESR: see README "ESR modes". Unset means guided in production, simulated elsewhere.
  ESR_MODE: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim().toLowerCase() : v), z.enum(['guided', 'automation', 'simulated'], { message: 'should be guided, automation or simulated' }).optional()),
  ESR_SIMULATED_IN_PRODUCTION: bool(false),
  ESR_AUTOMATION_URL: optionalText.pipe(z.url({ protocol: /^https?$/, message: 'should be a full http(s) URL of the Trust\'s ESR automation endpoint' }).optional()),
  ESR_AUTOMATION_SECRET: optionalText,
  ESR_AUTOMATION_TIMEOUT_S: int(30, 1, 300),
  ESR_AUTOMATION_CALLBACK_MINUTES: int(15, 1, 1440),
  ADMIN_TASK_REMIND_MINUTES: int(60, 0, 10080),
  ALLOWED_TENANT_IDS: text('').transform((v, ctx) => {
    const ids = v.split(',').map((e) => e.trim().toLowerCase()).filter(Boolean);
    const bad = ids.filter((e) => !GUID.test(e));
    if (bad.length > 0) {
      ctx.addIssue({ code: 'custom', message: `should be a comma-separated list of Entra tenant ids (GUIDs), like 00000000-0000-0000-0000-000000000000 (not valid: ${bad.map((b) => `"${b}"`).join(', ')})` });
      return z.NEVER;
    }
    return ids;
  }),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'should be one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
});

export type EsrMode = 'guided' | 'automation' | 'simulated';
export type Config = Omit<z.output<typeof configSchema>, 'PUBLIC_URL' | 'ESR_MODE'> & { PUBLIC_URL: string; ESR_MODE: EsrMode };

/** One bad setting: which one, and what is wrong with it. */
export class ConfigError extends Error {
  readonly problems: Array<{ setting: string; problem: string }>;
  constructor(problems: Array<{ setting: string; problem: string }>) {
    super(`Configuration error:\n${problems.map((p) => `  ${p.setting} ${p.problem}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ setting: String(i.path[0] ?? 'configuration'), problem: i.message })));
  }
  // Demo staff on a laptop by default, never by default in production.
  const seedUnset = env.SEED_DEMO_DATA === undefined || env.SEED_DEMO_DATA.trim() === '';
  const esrMode: EsrMode = parsed.data.ESR_MODE ?? (parsed.data.NODE_ENV === 'production' ? 'guided' : 'simulated');
  const config: Config = {
    ...parsed.data,
    ESR_MODE: esrMode,
    SEED_DEMO_DATA: seedUnset ? parsed.data.NODE_ENV !== 'production' : parsed.data.SEED_DEMO_DATA,
    // Emailed links follow the port the bot listens on, unless the public address is set.
    PUBLIC_URL: parsed.data.PUBLIC_URL ?? `http://localhost:${parsed.data.PORT}`,
  };
  const problems: Array<{ setting: string; problem: string }> = [];
  if (config.NODE_ENV === 'production') {
    // Without credentials the endpoint accepts anyone's requests: fine on a laptop, never in production.
    if (!config.MicrosoftAppId) problems.push({ setting: 'MicrosoftAppId', problem: 'is required when NODE_ENV=production (the Azure Bot registration\'s app id)' });
    if (!config.MicrosoftAppPassword && config.MicrosoftAppType !== 'UserAssignedMSI') {
      problems.push({ setting: 'MicrosoftAppPassword', problem: 'is required when NODE_ENV=production (the app registration\'s client secret)' });
    }
    if (config.MicrosoftAppType === 'SingleTenant' && !config.MicrosoftAppTenantId) {
      problems.push({ setting: 'MicrosoftAppTenantId', problem: 'is required for a SingleTenant bot in production (your Entra tenant id)' });
    }
    if (!config.PUBLIC_URL.startsWith('https://')) problems.push({ setting: 'PUBLIC_URL', problem: 'must be an https:// URL in production (reset links are sent by email)' });
    // The dashboard's development login lets anyone in without a token: never in production.
    if (config.DASHBOARD_DEV_LOGIN) problems.push({ setting: 'DASHBOARD_DEV_LOGIN', problem: 'must not be true when NODE_ENV=production (it lets anyone use the dashboard as a fictional agent)' });
    if (config.ENTRA_JWKS_URL && !config.ENTRA_JWKS_URL.startsWith('https://')) problems.push({ setting: 'ENTRA_JWKS_URL', problem: 'must be an https:// URL in production' });
  }
  if (config.ESR_MODE === 'simulated' && config.NODE_ENV === 'production' && !config.ESR_SIMULATED_IN_PRODUCTION) {
    problems.push({ setting: 'ESR_MODE', problem: 'is simulated (a training copy of ESR) in production: set ESR_SIMULATED_IN_PRODUCTION=true for a training deployment, or use guided' });
  }
  if (config.ESR_MODE === 'automation') {
    if (!config.ESR_AUTOMATION_URL) problems.push({ setting: 'ESR_AUTOMATION_URL', problem: 'is required when ESR_MODE=automation (the Trust\'s automation endpoint)' });
    else if (config.NODE_ENV === 'production' && !config.ESR_AUTOMATION_URL.startsWith('https://')) problems.push({ setting: 'ESR_AUTOMATION_URL', problem: 'must be an https:// URL in production' });
    if (!config.ESR_AUTOMATION_SECRET) problems.push({ setting: 'ESR_AUTOMATION_SECRET', problem: 'is required when ESR_MODE=automation (at least 32 characters, shared with the automation endpoint)' });
  }
  if (config.ESR_AUTOMATION_SECRET && config.ESR_AUTOMATION_SECRET.length < 32) {
    problems.push({ setting: 'ESR_AUTOMATION_SECRET', problem: `should be at least 32 characters (got ${config.ESR_AUTOMATION_SECRET.length})` });
  }
  if (config.MicrosoftAppId && !z.uuid().safeParse(config.MicrosoftAppId).success) {
    problems.push({ setting: 'MicrosoftAppId', problem: 'should be a GUID, like 00000000-0000-0000-0000-000000000000' });
  }
  problems.push(...credentialProblems(config));
  // One problem per setting: production's demands and the app type's may name the same one.
  const unique = problems.filter((p, i) => problems.findIndex((q) => q.setting === p.setting) === i);
  if (unique.length > 0) throw new ConfigError(unique);
  return config;
}

// What each MicrosoftAppType needs, checked here because the Bot Framework SDK only asserts it with a stack
// trace when the adapter is built. UserAssignedMSI takes the managed identity's client id as MicrosoftAppId.
function credentialProblems(config: Config): Array<{ setting: string; problem: string }> {
  const problems: Array<{ setting: string; problem: string }> = [];
  const { MicrosoftAppId: appId, MicrosoftAppPassword: password, MicrosoftAppTenantId: tenantId, MicrosoftAppType: type } = config;
  if (tenantId && !GUID.test(tenantId)) problems.push({ setting: 'MicrosoftAppTenantId', problem: 'should be your Entra tenant id, a GUID like 00000000-0000-0000-0000-000000000000' });
  if (type === 'UserAssignedMSI') {
    if (!appId) problems.push({ setting: 'MicrosoftAppId', problem: 'is required for UserAssignedMSI (the user-assigned managed identity\'s client id)' });
    if (!tenantId) problems.push({ setting: 'MicrosoftAppTenantId', problem: 'is required for UserAssignedMSI (your Entra tenant id)' });
    if (password) problems.push({ setting: 'MicrosoftAppPassword', problem: 'must be empty for UserAssignedMSI (the managed identity signs in without a secret)' });
  } else if (appId) {
    if (!password) problems.push({ setting: 'MicrosoftAppPassword', problem: `is required with MicrosoftAppId for a ${type} bot (the app registration's client secret)` });
    if (type === 'SingleTenant' && !tenantId) problems.push({ setting: 'MicrosoftAppTenantId', problem: 'is required with MicrosoftAppId for a SingleTenant bot (your Entra tenant id)' });
  } else if (password) {
    problems.push({ setting: 'MicrosoftAppId', problem: 'is required when MicrosoftAppPassword is set (without it requests are not authenticated at all)' });
  }
  // Which tenants' users may talk to the bot: a MultiTenant registration alone would admit every tenant.
  if (type === 'MultiTenant' && config.ALLOWED_TENANT_IDS.length === 0) {
    problems.push({ setting: 'ALLOWED_TENANT_IDS', problem: 'is required for a MultiTenant bot: the Entra tenant ids (GUIDs) whose users may use it, comma-separated' });
  }
  if (type !== 'MultiTenant' && config.ALLOWED_TENANT_IDS.length > 0) {
    problems.push({ setting: 'ALLOWED_TENANT_IDS', problem: `is only for MultiTenant bots; a ${type} bot admits MicrosoftAppTenantId's users alone (leave it empty)` });
  }
  return problems;
}
