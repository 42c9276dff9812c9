// The organisations one deployment serves (shared services, lead employers, regional hubs): each with its
// own ESR org code, Trust name, contacts, office hours, time zone and default language. Listed in
// DATA_DIR/organisations.json (or ORGANISATIONS_FILE); without that file, the settings describe the one
// organisation, exactly as before. A person's organisation comes from their staff record.
import { readFile } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import type { Language } from '../content/language.js';
import type { StaffRecord } from '../esr/types.js';
import type { OfficeHours } from '../tickets/officeHours.js';
import { ConfigError, DEFAULT_ORGANISATIONS_FILE, officeHoursSchema, timeZoneSchema, type Config } from './config.js';

export type { Language };

export interface Organisation {
  /** ESR organisation code: three digits, the start of every username of its staff. */
  code: string;
  /** The organisation's name in ESR, e.g. "241 Bolton Hospitals NHS Trust". */
  orgName: string;
  /** The Trust's name as staff know it, shown in messages, pages and emails. */
  trustName: string;
  workforceEmail: string;
  workforcePhone?: string;
  workforceLocation: string;
  leadEmployerEmail: string;
  officeHours: OfficeHours;
  timeZone: string;
  defaultLanguage: Language;
}

const text = (what: string) => z.string({ message: `should be text (${what})` }).trim().min(1, `should not be empty (${what})`);
const email = z.string({ message: 'should be an email address' }).trim().pipe(z.email({ message: 'should be an email address' }));

const entrySchema = z.object({
  code: z.string({ message: 'should be the three-digit ESR organisation code, like "242"' }).trim().regex(/^\d{3}$/, 'should be the three-digit ESR organisation code, like "242"'),
  orgName: text('the organisation\'s name in ESR'),
  trustName: text('the Trust\'s name'),
  workforceEmail: email,
  workforcePhone: z.string().trim().min(1, 'should not be empty (leave it out instead)').optional(),
  workforceLocation: text('where the Workforce Information team is'),
  leadEmployerEmail: email,
  officeHours: z.string({ message: 'should look like "Mon-Fri 09:00-17:00"' }).pipe(officeHoursSchema),
  timeZone: z.string({ message: 'should be an IANA time zone, like Europe/London' }).pipe(timeZoneSchema).default('Europe/London'),
  defaultLanguage: z.enum(['en-GB', 'cy-GB'], { message: 'should be en-GB or cy-GB' }).default('en-GB'),
}).strict();

/** The organisations, by code; the first is the default (for people not in the directory). */
export class Organisations {
  readonly #all: Organisation[];
  readonly #byCode: Map<string, Organisation>;

  constructor(all: Organisation[]) {
    if (all.length === 0) throw new Error('at least one organisation is needed');
    this.#all = all;
    this.#byCode = new Map(all.map((o) => [o.code, o]));
  }

  /** Today's single organisation, from the settings (ESR_ORG_CODE, TRUST_NAME, WORKFORCE_EMAIL...). */
  static fromConfig(config: Config): Organisations {
    return new Organisations([
      {
        code: config.ESR_ORG_CODE,
        orgName: config.ESR_ORG_NAME,
        trustName: config.TRUST_NAME,
        workforceEmail: config.WORKFORCE_EMAIL,
        ...(config.WORKFORCE_PHONE ? { workforcePhone: config.WORKFORCE_PHONE } : {}),
        workforceLocation: config.WORKFORCE_LOCATION,
        leadEmployerEmail: config.LEAD_EMPLOYER_EMAIL,
        officeHours: config.OFFICE_HOURS,
        timeZone: config.TIME_ZONE,
        defaultLanguage: config.LOCALE,
      },
    ]);
  }

  get default(): Organisation {
    return this.#all[0]!;
  }

  all(): Organisation[] {
    return [...this.#all];
  }

  get(code: string): Organisation | undefined {
    return this.#byCode.get(code);
  }

  /** The organisation of a code, or the default one when the code is unknown or missing. */
  forCode(code: string | undefined): Organisation {
    return (code !== undefined ? this.#byCode.get(code) : undefined) ?? this.default;
  }

  /** A username starts with its organisation's code. */
  forUsername(username: string | undefined): Organisation {
    return this.forCode(username?.slice(0, 3));
  }

  /** A staff record's organisation: its own field, else its username's code, else the default. */
  forRecord(record: Pick<StaffRecord, 'username' | 'organisationCode'> | undefined): Organisation {
    if (!record) return this.default;
    return this.get(record.organisationCode ?? '') ?? this.forUsername(record.username);
  }
}

/** Where the organisations file is: ORGANISATIONS_FILE, a relative path being inside DATA_DIR. */
export function organisationsFilePath(config: Pick<Config, 'ORGANISATIONS_FILE' | 'DATA_DIR'>): string {
  const file = config.ORGANISATIONS_FILE;
  return isAbsolute(file) ? file : join(resolve(config.DATA_DIR), file);
}

/**
 * The organisations from the file, or from the settings when there is no file (an ORGANISATIONS_FILE that is
 * set must exist). Every problem is reported at once, naming the entry and field, as a ConfigError.
 */
export async function loadOrganisations(config: Config): Promise<Organisations> {
  const file = organisationsFilePath(config);
  const name = basename(file);
  // The default file is optional (one organisation, from the settings); one that was named must be there.
  const named = config.ORGANISATIONS_FILE !== DEFAULT_ORGANISATIONS_FILE;
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !named) return Organisations.fromConfig(config);
    throw new ConfigError([{ setting: 'ORGANISATIONS_FILE', problem: `names ${file}, which could not be read (${code ?? String(error)})` }]);
  }
  return parseOrganisations(raw, name);
}

/** Parses the file's text; `name` is how problems refer to the file. */
export function parseOrganisations(raw: string, name = 'organisations.json'): Organisations {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new ConfigError([{ setting: `${name}:`, problem: `is not valid JSON (${(error as Error).message})` }]);
  }
  // Either a list, or { "organisations": [...] } so the file can grow other keys later.
  const list = Array.isArray(json) ? json : (json as { organisations?: unknown } | null)?.organisations;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ConfigError([{ setting: `${name}:`, problem: 'should be a list of organisations (see README "Organisations"), with at least one entry' }]);
  }
  const problems: Array<{ setting: string; problem: string }> = [];
  const organisations: Organisation[] = [];
  const seen = new Map<string, number>();
  list.forEach((entry, index) => {
    const code = (entry as { code?: unknown } | null)?.code;
    const label = `${name}: entry ${index + 1}${typeof code === 'string' ? ` ("${code}")` : ''}`;
    const parsed = entrySchema.safeParse(entry);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path.length > 0 ? String(issue.path[0]) : '';
        const message = issue.code === 'unrecognized_keys' ? `has unknown field(s) ${issue.keys.join(', ')}` : issue.code === 'invalid_type' && field && (entry as Record<string, unknown>)[field] === undefined ? 'is required' : issue.message;
        problems.push({ setting: label, problem: field ? `${field} ${message}` : message });
      }
      return;
    }
    const first = seen.get(parsed.data.code);
    if (first !== undefined) problems.push({ setting: label, problem: `code repeats entry ${first}'s` });
    seen.set(parsed.data.code, index + 1);
    const { workforcePhone, ...rest } = parsed.data;
    organisations.push({ ...rest, ...(workforcePhone ? { workforcePhone } : {}) });
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return new Organisations(organisations);
}
