// `npm run package [-- --out DIR]`: builds the Teams app package, build/appPackage.zip (manifest.json, color.png,
// outline.png at the root), from manifest/manifest.template.json, the icons in manifest/ and the environment (.env too).
// Everything is checked BEFORE anything is written: the official manifest JSON schema (offline, from
// @microsoft/app-manifest), the icons' pixel sizes and the outline's transparency, the version, the GUIDs, that every
// URL is https and every tab's host is a valid domain. A problem is printed with the setting or manifest field it
// comes from, the exit code is 1 and no file is written.
//
// The PNG and ZIP code is deliberately small and dependency-free (zlib only); it is also what scripts/make-icons.ts
// uses to write the icons.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { deflateRawSync, deflateSync, inflateSync } from 'node:zlib';
import { config as loadDotenv } from 'dotenv';
import { z } from 'zod';
import { configSchema } from '../bot/config.js';
// Types only: the library (a dev dependency) is loaded when a manifest is checked, not when make-icons.ts imports this.
import type * as AppManifestLibrary from '@microsoft/app-manifest';

type AppManifestModule = typeof AppManifestLibrary;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const MANIFEST_DIR = join(ROOT, 'manifest');
export const PACKAGE_FILE = 'appPackage.zip';
export const ICON_SIZES = { color: 192, outline: 32 } as const;

// ---------------------------------------------------------------------------------------------------------------
// Problems

/** One thing wrong: the setting or manifest field (or icon file) it is about, and what is wrong with it. */
export interface Problem {
  field: string;
  problem: string;
}

export class PackageError extends Error {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    super(`The Teams app package was not written:\n${problems.map((p) => `  ${p.field}: ${p.problem}`).join('\n')}`);
    this.name = 'PackageError';
    this.problems = problems;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Settings

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** MAJOR.MINOR.PATCH only: Teams refuses pre-release and build suffixes although the schema says "semver". */
const VERSION = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$/;
/** A host name (optionally *. and :port), as validDomains wants it: no scheme, no path. */
const DOMAIN = /^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?(:\d{1,5})?$/i;
const NAME_MAX = 30; // name.short
const DEVELOPER_NAME_MAX = 32; // developer.name

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

const httpsUrl = (example: string) =>
  z.string().transform((v, ctx) => {
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: `should be a full https:// URL, like ${example} (got "${v}")` });
      return z.NEVER;
    }
    if (url.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: `must be an https:// URL: Teams refuses http (got "${v}")` });
      return z.NEVER;
    }
    if (url.username || url.password || url.search || url.hash) {
      ctx.addIssue({ code: 'custom', message: `should have no user name, query or #fragment (got "${v}")` });
      return z.NEVER;
    }
    return url.href.replace(/\/+$/, '');
  });

const guid = (hint = '') =>
  z.string().transform((v, ctx) => {
    if (!GUID.test(v)) {
      ctx.addIssue({ code: 'custom', message: `should be a GUID, like 00000000-0000-0000-0000-000000000000${hint} (got "${v}")` });
      return z.NEVER;
    }
    return v.toLowerCase();
  });

export const packageSettingsSchema = z.object({
  MicrosoftAppId: z.preprocess(blankToUndefined, z.string({ message: "is required: the Azure Bot's Microsoft App ID (a GUID, like 00000000-0000-0000-0000-000000000000)" }).pipe(guid())),
  TEAMS_APP_ID: z.preprocess(blankToUndefined, guid(', or empty to use MicrosoftAppId').optional()),
  PUBLIC_URL: z.preprocess(
    blankToUndefined,
    z.string({ message: 'is required: the https address staff and Teams reach this server at, like https://esr-helpdesk.example.nhs.uk' }).pipe(httpsUrl('https://esr-helpdesk.example.nhs.uk')),
  ),
  APP_NAME: z.preprocess(blankToUndefined, z.string().max(NAME_MAX, `should be at most ${NAME_MAX} characters (Teams' limit for an app's short name)`).default('ESR Helpdesk')),
  APP_VERSION: z.preprocess(
    blankToUndefined,
    z
      .string()
      .refine((v) => VERSION.test(v), { error: (issue) => `should be a version as MAJOR.MINOR.PATCH, like 1.0.0: Teams accepts nothing else (got "${String(issue.input)}")` })
      .optional(),
  ),
  DEVELOPER_NAME: z.preprocess(blankToUndefined, z.string().max(DEVELOPER_NAME_MAX, `should be at most ${DEVELOPER_NAME_MAX} characters (Teams' limit for the developer's name)`).optional()),
  TRUST_NAME: z.preprocess(blankToUndefined, z.string().optional()),
  WEBSITE_URL: z.preprocess(blankToUndefined, httpsUrl('https://www.example.nhs.uk/esr-helpdesk').optional()),
  PRIVACY_URL: z.preprocess(blankToUndefined, httpsUrl('https://www.example.nhs.uk/privacy').optional()),
  TERMS_URL: z.preprocess(blankToUndefined, httpsUrl('https://www.example.nhs.uk/terms').optional()),
});

/** The values the manifest template's {{placeholders}} are filled with. */
export interface PackageSettings {
  MicrosoftAppId: string;
  TEAMS_APP_ID: string;
  PUBLIC_URL: string;
  /** The host of PUBLIC_URL (with :port when it has one): validDomains and the SSO Application ID URI. */
  PUBLIC_HOST: string;
  APP_NAME: string;
  APP_VERSION: string;
  DEVELOPER_NAME: string;
  WEBSITE_URL: string;
  PRIVACY_URL: string;
  TERMS_URL: string;
}

/** Reads and checks the settings the package is built from; a bad value throws a PackageError naming the setting. */
export function readSettings(env: Record<string, string | undefined>, defaultVersion: string): PackageSettings {
  const parsed = packageSettingsSchema.safeParse(env);
  if (!parsed.success) {
    throw new PackageError(parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? 'settings'), problem: i.message })));
  }
  const s = parsed.data;
  const problems: Problem[] = [];
  const version = s.APP_VERSION ?? defaultVersion;
  if (!VERSION.test(version)) {
    problems.push({ field: 'APP_VERSION', problem: `is not set and package.json's version "${defaultVersion}" is not MAJOR.MINOR.PATCH: set APP_VERSION, like 1.0.0` });
  }
  // Without either setting, the name the bot itself uses for the Trust, so the app and the bot agree.
  let developerName = s.DEVELOPER_NAME ?? s.TRUST_NAME ?? configSchema.shape.TRUST_NAME.parse(undefined);
  if (!s.DEVELOPER_NAME && developerName.length > DEVELOPER_NAME_MAX) {
    problems.push({
      field: 'DEVELOPER_NAME',
      problem: `is not set, and TRUST_NAME ("${developerName}") is longer than the ${DEVELOPER_NAME_MAX} characters Teams allows for the developer's name: set DEVELOPER_NAME to a shorter form of the Trust's name`,
    });
    developerName = developerName.slice(0, DEVELOPER_NAME_MAX);
  }
  if (problems.length > 0) throw new PackageError(problems);
  const publicUrl = s.PUBLIC_URL;
  return {
    MicrosoftAppId: s.MicrosoftAppId,
    TEAMS_APP_ID: s.TEAMS_APP_ID ?? s.MicrosoftAppId,
    PUBLIC_URL: publicUrl,
    PUBLIC_HOST: new URL(publicUrl).host,
    APP_NAME: s.APP_NAME,
    APP_VERSION: version,
    DEVELOPER_NAME: developerName,
    WEBSITE_URL: s.WEBSITE_URL ?? `${publicUrl}/about`,
    PRIVACY_URL: s.PRIVACY_URL ?? `${publicUrl}/privacy`,
    TERMS_URL: s.TERMS_URL ?? `${publicUrl}/terms`,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The manifest

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Fills the template's {{NAME}} placeholders. Works on the parsed JSON, not the text, so a value with quotes or
 * backslashes cannot break the manifest. An unknown placeholder is an error, never left in the output.
 */
export function renderManifest(template: string, settings: PackageSettings): Record<string, Json> {
  let parsed: Json;
  try {
    parsed = JSON.parse(template) as Json;
  } catch (error) {
    throw new PackageError([{ field: 'manifest.template.json', problem: `is not valid JSON: ${(error as Error).message}` }]);
  }
  const problems: Problem[] = [];
  const values = settings as unknown as Record<string, string>;
  const fill = (value: Json, path: string): Json => {
    if (typeof value === 'string') {
      return value.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (whole, name: string) => {
        if (Object.hasOwn(values, name)) return values[name]!;
        problems.push({ field: path || '(root)', problem: `uses the placeholder ${whole}, which the build does not fill (known: ${Object.keys(values).join(', ')})` });
        return whole;
      });
    }
    if (Array.isArray(value)) return value.map((v, i) => fill(v, `${path}[${i}]`));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, path ? `${path}.${k}` : k)]));
    return value;
  };
  const manifest = fill(parsed, '');
  if (problems.length > 0) throw new PackageError(problems);
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest)) throw new PackageError([{ field: 'manifest.template.json', problem: 'should be a JSON object' }]);
  return manifest;
}

/** `/bots/0/commandLists/1` as `bots[0].commandLists[1]`. */
function fieldOf(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((field, part) => (/^\d+$/.test(part) ? `${field}[${part}]` : field ? `${field}.${part}` : part), '');
}

const SCHEMA_URL = /^https:\/\/developer\.microsoft\.com\/json-schemas\/teams\/v(1\.\d+)\/MicrosoftTeams\.schema\.json$/;

/** The official JSON schema, offline: only a developer.microsoft.com URL of a schema the package bundles is accepted. */
async function schemaProblems(manifest: Record<string, unknown>): Promise<Problem[]> {
  const schemaUrl = manifest.$schema;
  const match = typeof schemaUrl === 'string' ? SCHEMA_URL.exec(schemaUrl) : null;
  if (!match) {
    return [{ field: '$schema', problem: `should be https://developer.microsoft.com/json-schemas/teams/v1.NN/MicrosoftTeams.schema.json, so the schema check runs offline (got ${JSON.stringify(schemaUrl)})` }];
  }
  let lib: AppManifestModule;
  try {
    lib = await import('@microsoft/app-manifest');
  } catch (error) {
    return [{ field: '$schema', problem: `cannot be checked: @microsoft/app-manifest (a dev dependency) did not load (${(error as Error).message}). Run "npm ci" without --omit=dev on the machine that builds the package.` }];
  }
  const bundled = join(dirname(fileURLToPath(import.meta.resolve('@microsoft/app-manifest'))), 'json-schemas', 'teams', `v${match[1]}`, 'MicrosoftTeams.schema.json');
  if (!existsSync(bundled)) return [{ field: '$schema', problem: `names schema v${match[1]}, which @microsoft/app-manifest does not bundle, so it cannot be checked offline` }];
  const problems: Problem[] = [];
  if (manifest.manifestVersion !== match[1]) problems.push({ field: 'manifestVersion', problem: `should be "${match[1]}", the version of the $schema URL (got ${JSON.stringify(manifest.manifestVersion)})` });
  const errors = await lib.AppManifestUtils.validateAgainstSchema(manifest as unknown as Parameters<typeof lib.AppManifestUtils.validateAgainstSchema>[0]);
  for (const error of errors) {
    // "<instancePath> <message>. Details: <params as JSON>"
    const m = /^(\S*) ([\s\S]*?)\. Details: ([\s\S]*)$/.exec(error);
    if (!m) {
      problems.push({ field: '(schema)', problem: error });
      continue;
    }
    let params: Record<string, unknown> = {};
    try {
      params = JSON.parse(m[3]!) as Record<string, unknown>;
    } catch {
      // the message alone is still useful
    }
    let field = fieldOf(m[1]!) || '(root)';
    let problem = `${m[2]!} (official schema v${match[1]})`;
    if (typeof params.additionalProperty === 'string') {
      field = field === '(root)' ? params.additionalProperty : `${field}.${params.additionalProperty}`;
      problem = `is not a property the schema allows here (official schema v${match[1]})`;
    } else if (Array.isArray(params.allowedValues)) {
      problem = `${m[2]!}: ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')} (official schema v${match[1]})`;
    }
    problems.push({ field, problem });
  }
  return problems;
}

/** Every string in the manifest, with its field. */
function* strings(value: unknown, path = ''): Generator<[string, string]> {
  if (typeof value === 'string') yield [path, value];
  else if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield* strings(value[i], `${path}[${i}]`);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) yield* strings(v, path ? `${path}.${k}` : k);
}

const get = (value: unknown, key: string): unknown => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** What the schema leaves to us: version, GUIDs, https everywhere, domains, SSO resource, icons. */
function ruleProblems(manifest: Record<string, unknown>, icons: Record<string, Buffer>): Problem[] {
  const problems: Problem[] = [];
  const add = (field: string, problem: string) => problems.push({ field, problem });

  if (typeof manifest.version !== 'string' || !VERSION.test(manifest.version)) {
    add('version', `should be MAJOR.MINOR.PATCH, like 1.0.0: Teams refuses anything else (got ${JSON.stringify(manifest.version)})`);
  }

  const guids: Array<[string, unknown]> = [['id', manifest.id], ['webApplicationInfo.id', get(manifest.webApplicationInfo, 'id')]];
  list(manifest.bots).forEach((bot, i) => guids.push([`bots[${i}].botId`, get(bot, 'botId')]));
  list(manifest.staticTabs).forEach((tab, i) => get(tab, 'contentBotId') !== undefined && guids.push([`staticTabs[${i}].contentBotId`, get(tab, 'contentBotId')]));
  for (const [field, value] of guids) {
    if (value === undefined && field === 'webApplicationInfo.id' && manifest.webApplicationInfo === undefined) continue;
    if (typeof value !== 'string' || !GUID.test(value)) add(field, `should be a GUID, like 00000000-0000-0000-0000-000000000000 (got ${JSON.stringify(value)})`);
  }

  // Every URL https: any field named *Url, and any string that looks like a URL.
  for (const [field, value] of strings(manifest)) {
    if (field === '$schema') continue;
    const isUrlField = /url$/i.test(field.replace(/\[\d+\]$/, ''));
    if (!isUrlField && !/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) continue;
    if (field === 'webApplicationInfo.resource') continue; // api://, checked below
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      // reported below
    }
    if (!url) add(field, `should be a full https:// URL (got ${JSON.stringify(value)})`);
    else if (url.protocol !== 'https:') add(field, `must be https: Teams refuses ${url.protocol.replace(':', '')} (got ${JSON.stringify(value)})`);
  }

  const domains = list(manifest.validDomains);
  domains.forEach((domain, i) => {
    if (typeof domain !== 'string' || !DOMAIN.test(domain)) {
      add(`validDomains[${i}]`, `should be a host name only, like esr-helpdesk.example.nhs.uk: no https://, no path (got ${JSON.stringify(domain)})`);
    }
  });
  const hostAllowed = (host: string) =>
    domains.some((d) => typeof d === 'string' && (d.toLowerCase() === host || (d.startsWith('*.') && host.endsWith(d.slice(1).toLowerCase()))));

  // Teams only loads a tab from a valid domain.
  const tabUrls: Array<[string, unknown]> = [];
  list(manifest.staticTabs).forEach((tab, i) => tabUrls.push([`staticTabs[${i}].contentUrl`, get(tab, 'contentUrl')], [`staticTabs[${i}].websiteUrl`, get(tab, 'websiteUrl')]));
  list(manifest.configurableTabs).forEach((tab, i) => tabUrls.push([`configurableTabs[${i}].configurationUrl`, get(tab, 'configurationUrl')]));
  for (const [field, value] of tabUrls) {
    if (typeof value !== 'string') continue;
    let host: string;
    try {
      host = new URL(value).host.toLowerCase();
    } catch {
      continue;
    }
    if (!hostAllowed(host)) add(field, `is on ${host}, which is not in validDomains (${domains.map((d) => JSON.stringify(d)).join(', ') || 'empty'}): Teams will not load it`);
  }

  // Teams SSO: resource is api://<a valid domain>/<the app registration's id>.
  const webApp = manifest.webApplicationInfo;
  if (webApp !== undefined) {
    const resource = get(webApp, 'resource');
    const id = get(webApp, 'id');
    const m = typeof resource === 'string' ? /^api:\/\/([^/]+)\/(.+)$/.exec(resource) : null;
    if (!m) add('webApplicationInfo.resource', `should be api://<host>/<app id> (got ${JSON.stringify(resource)})`);
    else {
      if (!hostAllowed(m[1]!.toLowerCase())) add('webApplicationInfo.resource', `names ${m[1]}, which is not in validDomains: Teams SSO needs the tab's domain`);
      if (m[2] !== id) add('webApplicationInfo.resource', `should end with webApplicationInfo.id (${String(id)}), got "${m[2]}"`);
    }
    const botId = get(list(manifest.bots)[0], 'botId');
    if (botId !== undefined && id !== botId) add('webApplicationInfo.id', `should be the bot's app id (bots[0].botId, ${JSON.stringify(botId)}): the dashboard accepts tokens issued for MicrosoftAppId`);
  }

  // The icons: present, the right pixel size, the outline white on transparent.
  for (const kind of ['color', 'outline'] as const) {
    const name = get(manifest.icons, kind);
    if (typeof name !== 'string') continue; // the schema reports it
    const bytes = icons[name];
    if (!bytes) {
      add(`icons.${kind}`, `names ${name}, which is not in the package`);
      continue;
    }
    let image: Image;
    try {
      image = decodePng(bytes);
    } catch (error) {
      add(name, (error as Error).message);
      continue;
    }
    const size = ICON_SIZES[kind];
    if (image.width !== size || image.height !== size) {
      add(name, `is ${image.width}x${image.height} pixels; Teams needs the ${kind} icon to be exactly ${size}x${size}`);
      continue;
    }
    if (kind === 'outline') {
      const bad = outlineOffenders(image);
      if (bad.count > 0) {
        add(name, `has ${bad.count} pixel(s) that are neither white nor fully transparent (the first at x=${bad.x}, y=${bad.y}: rgba(${bad.rgba.join(', ')})): the outline icon must be white (255, 255, 255) on a fully transparent background`);
      } else if (!image.data.some((_, i) => i % 4 === 3 && image.data[i]! > 0)) {
        add(name, 'is completely transparent: it should show the app\'s symbol in white');
      }
    }
  }
  return problems;
}

function outlineOffenders(image: Image): { count: number; x: number; y: number; rgba: number[] } {
  let count = 0;
  let first = { x: 0, y: 0, rgba: [0, 0, 0, 0] };
  for (let i = 0; i < image.data.length; i += 4) {
    const [r, g, b, a] = [image.data[i]!, image.data[i + 1]!, image.data[i + 2]!, image.data[i + 3]!];
    if (a === 0 || (r === 255 && g === 255 && b === 255)) continue;
    if (count++ === 0) first = { x: (i / 4) % image.width, y: Math.floor(i / 4 / image.width), rgba: [r, g, b, a] };
  }
  return { count, ...first };
}

/**
 * Checks a filled-in manifest and its icons (file name → PNG bytes) as Teams will: the official JSON schema
 * (offline), then what the schema leaves out. Returns every problem found; none means the package is good.
 */
export async function validateManifest(manifest: Record<string, unknown>, icons: Record<string, Buffer>): Promise<Problem[]> {
  const rules = ruleProblems(manifest, icons);
  // One message a field: where both report it, ours says more than "must match pattern ...".
  const ours = new Set(rules.map((p) => p.field));
  return [...(await schemaProblems(manifest)).filter((p) => !ours.has(p.field)), ...rules];
}

// ---------------------------------------------------------------------------------------------------------------
// Building

export interface BuildOptions {
  /** Where manifest.template.json, color.png and outline.png are (default: the project's manifest/). */
  manifestDir?: string;
}

/**
 * Builds `<outDir>/appPackage.zip` from the environment. Validates everything first and throws a PackageError
 * (writing nothing, not even outDir) when anything is wrong.
 */
export async function buildPackage(env: Record<string, string | undefined>, outDir: string, options: BuildOptions = {}): Promise<{ file: string; manifest: Record<string, unknown> }> {
  const manifestDir = options.manifestDir ?? MANIFEST_DIR;
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version?: string };
  const settings = readSettings(env, pkg.version ?? '');
  const manifest = renderManifest(await readRequired(join(manifestDir, 'manifest.template.json'), 'utf8'), settings);

  const icons: Record<string, Buffer> = {};
  for (const kind of ['color', 'outline'] as const) {
    const name = get(manifest.icons, kind);
    if (typeof name !== 'string' || !/^[\w.-]+\.png$/i.test(name)) {
      throw new PackageError([{ field: `icons.${kind}`, problem: `should be the file name of a PNG next to the template, like ${kind}.png (got ${JSON.stringify(name)})` }]);
    }
    icons[name] = await readRequired(join(manifestDir, name));
  }

  const problems = await validateManifest(manifest, icons);
  if (problems.length > 0) throw new PackageError(problems);

  const zip = createZip([{ name: 'manifest.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8') }, ...Object.entries(icons).map(([name, data]) => ({ name, data }))]);
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, PACKAGE_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, zip);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return { file, manifest };
}

async function readRequired(file: string): Promise<Buffer>;
async function readRequired(file: string, encoding: 'utf8'): Promise<string>;
async function readRequired(file: string, encoding?: 'utf8'): Promise<Buffer | string> {
  try {
    return encoding ? await readFile(file, encoding) : await readFile(file);
  } catch (error) {
    throw new PackageError([{ field: file, problem: `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` }]);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// CRC-32, PNG and ZIP

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

export interface Image {
  width: number;
  height: number;
  /** RGBA, 8 bits a channel, row by row, not premultiplied. */
  data: Uint8Array;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))), 0);
  return Buffer.concat([head, data, crc]);
}

/** An 8-bit RGBA PNG (colour type 6), every row with filter "none", deflated at level 9. */
export function encodePng(image: Image): Buffer {
  const { width, height, data } = image;
  if (data.length !== width * height * 4) throw new Error(`encodePng: expected ${width * height * 4} bytes of RGBA, got ${data.length}`);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // bit depth, colour type RGBA, deflate, adaptive filters, no interlace
  const raw = Buffer.alloc(height * (1 + width * 4));
  for (let y = 0; y < height; y++) raw.set(data.subarray(y * width * 4, (y + 1) * width * 4), y * (1 + width * 4) + 1);
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw, { level: 9 })), pngChunk('IEND', Buffer.alloc(0))]);
}

const COLOUR_TYPES: Record<number, string> = { 0: 'greyscale', 2: 'RGB', 3: 'palette', 4: 'greyscale with alpha', 6: 'RGBA' };

/** Decodes a non-interlaced 8-bit RGBA (colour type 6) or RGB (colour type 2) PNG; refuses anything else by name. */
export function decodePng(bytes: Buffer): Image {
  if (bytes.length < 8 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('is not a PNG file');
  let offset = 8;
  let header: { width: number; height: number; bitDepth: number; colourType: number; interlace: number } | undefined;
  const idat: Buffer[] = [];
  let ended = false;
  while (offset + 12 <= bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    if (offset + 12 + length > bytes.length) throw new Error(`is not a valid PNG: the ${type} chunk is cut short`);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== bytes.readUInt32BE(offset + 8 + length)) throw new Error(`is not a valid PNG: the ${type} chunk's checksum is wrong`);
    offset += 12 + length;
    if (type === 'IHDR') header = { width: data.readUInt32BE(0), height: data.readUInt32BE(4), bitDepth: data[8]!, colourType: data[9]!, interlace: data[12]! };
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') {
      ended = true;
      break;
    }
  }
  if (!header) throw new Error('is not a valid PNG: it has no IHDR chunk');
  if (!ended) throw new Error('is not a valid PNG: it has no IEND chunk');
  const { width, height, bitDepth, colourType, interlace } = header;
  if (bitDepth !== 8 || (colourType !== 6 && colourType !== 2)) {
    throw new Error(`is a ${bitDepth}-bit ${COLOUR_TYPES[colourType] ?? `colour type ${colourType}`} PNG; this check reads 8-bit RGBA (colour type 6) or RGB (colour type 2) PNGs only: save it as a 32-bit RGBA PNG`);
  }
  if (interlace !== 0) throw new Error('is an interlaced PNG; save it without interlacing');
  const channels = colourType === 6 ? 4 : 3;
  const stride = width * channels;
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch (error) {
    throw new Error(`is not a valid PNG: its image data does not decompress (${(error as Error).message})`, { cause: error });
  }
  if (raw.length !== height * (stride + 1)) throw new Error(`is not a valid PNG: ${raw.length} bytes of image data for ${width}x${height}`);
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[out + x - channels]! : 0;
      const b = y > 0 ? pixels[out - stride + x]! : 0;
      const c = x >= channels && y > 0 ? pixels[out - stride + x - channels]! : 0;
      let predictor: number;
      switch (filter) {
        case 0: predictor = 0; break;
        case 1: predictor = a; break;
        case 2: predictor = b; break;
        case 3: predictor = (a + b) >> 1; break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: throw new Error(`is not a valid PNG: row ${y} has unknown filter type ${filter}`);
      }
      pixels[out + x] = (line[x]! + predictor) & 0xff;
    }
  }
  if (channels === 4) return { width, height, data: pixels };
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0, j = 0; i < pixels.length; i += 3, j += 4) rgba.set([pixels[i]!, pixels[i + 1]!, pixels[i + 2]!, 255], j);
  return { width, height, data: rgba };
}

/**
 * A ZIP archive of files at its root, deflated (or stored when that is smaller), with a fixed timestamp so the same
 * input always gives the same bytes.
 */
export function createZip(files: Array<{ name: string; data: Buffer }>): Buffer {
  const DOS_TIME = 0; // 00:00:00
  const DOS_DATE = ((2026 - 1980) << 9) | (1 << 5) | 1; // 2026-01-01
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.name, 'utf8');
    const deflated = deflateRawSync(file.data, { level: 9 });
    const method = deflated.length < file.data.length ? 8 : 0;
    const body = method === 8 ? deflated : file.data;
    const crc = crc32(file.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(file.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // made by: 2.0, MS-DOS
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(file.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42); // (extra, comment, disk, attributes: 0)
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

// ---------------------------------------------------------------------------------------------------------------
// The command line

async function main(argv: string[]): Promise<number> {
  let values: { out?: string; 'manifest-dir'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { out: { type: 'string' }, 'manifest-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    console.error(`${(error as Error).message}\nUsage: npm run package [-- --out DIR] [--manifest-dir DIR]`);
    return 2;
  }
  if (values.help) {
    console.log('Usage: npm run package [-- --out DIR] [--manifest-dir DIR]\nBuilds DIR/appPackage.zip (default build/) from manifest/ and the environment (.env too).');
    return 0;
  }
  // The same .env as the bot; the real environment wins.
  loadDotenv({ quiet: true });
  const outDir = resolve(values.out ?? join(ROOT, 'build'));
  try {
    const { file, manifest } = await buildPackage(process.env, outDir, values['manifest-dir'] ? { manifestDir: resolve(values['manifest-dir']) } : {});
    const name = get(manifest.name, 'short');
    console.log(`Wrote ${file}`);
    console.log(`  ${String(name)} ${String(manifest.version)} (manifest ${String(manifest.manifestVersion)}), app id ${String(manifest.id)}, bot ${String(get(list(manifest.bots)[0], 'botId'))}`);
    console.log(`  Tabs and SSO on ${list(manifest.validDomains).join(', ')}`);
    console.log('Upload it in the Teams admin centre: Teams apps > Manage apps > Upload new app.');
    return 0;
  } catch (error) {
    if (error instanceof PackageError) {
      console.error(error.message);
      return 1;
    }
    console.error(`The Teams app package was not written: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  process.exitCode = await main(process.argv.slice(2));
}
