// The Teams app package: `npm run package` builds build/appPackage.zip from manifest/ and the environment, and
// refuses (writing nothing) what Teams would refuse. The zip is opened here with a reader of the test's own, the
// manifest is checked against the official schema directly, and the CLI runs once as a child process each way.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync, inflateRawSync } from 'node:zlib';
import { AppManifestUtils } from '@microsoft/app-manifest';
import { expect } from 'chai';
import { loadConfig } from '../../bot/config.js';
import { parseUseChannel } from '../../bot/queues.js';
import { loadContent, type TextKey } from '../../content/content.js';
import { loadFaq } from '../../content/faq.js';
import { FLOW_IDS } from '../../dialogs/flowIds.js';
import { LiveUnderstanding } from '../../understanding/live.js';
import { understandingSource } from '../../understanding/source.js';
import { drawColorIcon, drawOutlineIcon } from '../../scripts/make-icons.js';
import { buildPackage, decodePng, encodePng, MANIFEST_DIR, PackageError, validateManifest, type Image, type Problem } from '../../scripts/package.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const APP_ID = '3f2b9c1e-7a4d-4e8b-9c6f-1d2e3a4b5c6d';
const HOST = 'esr-helpdesk.example.nhs.uk';
const ENV = { MicrosoftAppId: APP_ID, PUBLIC_URL: `https://${HOST}`, TRUST_NAME: 'Example NHS Foundation Trust' };
/** Every setting the script reads, empty: a child process then cannot pick anything up from a developer's .env. */
const BLANK = Object.fromEntries(['MicrosoftAppId', 'TEAMS_APP_ID', 'PUBLIC_URL', 'APP_NAME', 'APP_VERSION', 'DEVELOPER_NAME', 'TRUST_NAME', 'WEBSITE_URL', 'PRIVACY_URL', 'TERMS_URL'].map((k) => [k, '']));

// ------------------------------------------------------------------------------------------ helpers

/** Reads a ZIP's central directory and inflates each entry, checking its CRC-32 (an implementation apart from the builder's). */
function unzip(zip: Buffer): Map<string, Buffer> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(end, 'end of central directory').to.be.greaterThan(-1);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let n = 0; n < count; n++) {
    expect(zip.readUInt32LE(at), 'central directory header').to.equal(0x02014b50);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressed = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30);
    const comment = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    expect(zip.readUInt32LE(local), `local header of ${name}`).to.equal(0x04034b50);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const body = zip.subarray(start, start + compressed);
    expect([0, 8], `compression of ${name}`).to.include(method);
    const data = method === 8 ? inflateRawSync(body) : Buffer.from(body);
    expect(data.length, `size of ${name}`).to.equal(size);
    expect(crc32(data) >>> 0, `CRC-32 of ${name}`).to.equal(crc);
    files.set(name, data);
    at += 46 + nameLength + extra + comment;
  }
  return files;
}

/** Width, height, bit depth and colour type straight from the IHDR chunk. */
function pngHeader(png: Buffer): { width: number; height: number; bitDepth: number; colourType: number } {
  expect(png.subarray(1, 4).toString('latin1')).to.equal('PNG');
  expect(png.toString('latin1', 12, 16)).to.equal('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), bitDepth: png[24]!, colourType: png[25]! };
}

function image(width: number, height: number, rgba: [number, number, number, number]): Image {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set(rgba, i);
  return { width, height, data };
}

/** A palette PNG (colour type 3), which the checker does not read: it must say so, not guess. */
function palettePng(size: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 3, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('PLTE', Buffer.from([255, 255, 255])),
    chunk('IDAT', deflateSync(Buffer.alloc(size * (size + 1)))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/package.ts', ...args], { cwd: ROOT, env: { ...process.env, ...BLANK, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

type Manifest = Record<string, unknown> & {
  bots: Array<{ botId: string; scopes: string[]; supportsFiles: boolean; isNotificationOnly: boolean; commandLists: Array<{ scopes: string[]; commands: Array<{ title: string; description: string }> }> }>;
  staticTabs: Array<Record<string, unknown>>;
  configurableTabs: Array<Record<string, unknown>>;
  validDomains: string[];
  webApplicationInfo: { id: string; resource: string };
  developer: Record<string, string>;
  name: { short: string; full: string };
  description: { short: string; full: string };
};

// ------------------------------------------------------------------------------------------ tests

describe('Teams app package (npm run package)', () => {
  let tmp: string;
  let zipBytes: Buffer;
  let files: Map<string, Buffer>;
  let manifest: Manifest;

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'esr-package-'));
    const built = await buildPackage(ENV, join(tmp, 'out'));
    expect(built.file).to.equal(join(tmp, 'out', 'appPackage.zip'));
    zipBytes = await readFile(built.file);
    files = unzip(zipBytes);
    manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as Manifest;
  });

  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  /** A fresh copy of the good manifest to break. */
  const copy = () => structuredClone(manifest);
  const icons = () => ({ 'color.png': files.get('color.png')!, 'outline.png': files.get('outline.png')! });

  describe('the package', () => {
    it('holds manifest.json, color.png and outline.png at the root of the zip, and nothing else', async () => {
      expect([...files.keys()].sort()).to.deep.equal(['color.png', 'manifest.json', 'outline.png']);
      expect(await readdir(join(tmp, 'out')), 'no temporary files left behind').to.deep.equal(['appPackage.zip']);
    });

    it('passes the official manifest schema, offline, at v1.29', async () => {
      expect(manifest.$schema).to.equal('https://developer.microsoft.com/json-schemas/teams/v1.29/MicrosoftTeams.schema.json');
      expect(manifest.manifestVersion).to.equal('1.29');
      const bundled = join(dirname(createRequire(import.meta.url).resolve('@microsoft/app-manifest')), 'json-schemas', 'teams', 'v1.29', 'MicrosoftTeams.schema.json');
      expect(existsSync(bundled), 'the schema is bundled, so no download is needed').to.equal(true);
      expect(await AppManifestUtils.validateAgainstSchema(manifest as never)).to.deep.equal([]);
      expect(await validateManifest(manifest, icons())).to.deep.equal([]);
    });

    it('fills in the bot, the tabs, the domain and Teams SSO from MicrosoftAppId and PUBLIC_URL', () => {
      expect(files.get('manifest.json')!.toString('utf8')).not.to.match(/\{\{|\}\}/);
      expect(manifest.id, 'the app id is stable per deployment: MicrosoftAppId').to.equal(APP_ID);
      const [bot] = manifest.bots;
      expect(bot).to.include({ botId: APP_ID, supportsFiles: true, isNotificationOnly: false });
      expect(bot!.scopes).to.have.members(['personal', 'team']);
      expect(manifest.staticTabs).to.deep.include({ entityId: 'dashboard', name: 'Tickets', contentUrl: `https://${HOST}/dashboard`, scopes: ['personal'] });
      expect(manifest.staticTabs).to.deep.include({ entityId: 'conversations', scopes: ['personal'] });
      expect(manifest.configurableTabs).to.deep.equal([{ configurationUrl: `https://${HOST}/dashboard/configure`, canUpdateConfiguration: true, scopes: ['team'], context: ['channelTab'] }]);
      expect(manifest.validDomains).to.deep.equal([HOST]);
      expect(manifest.webApplicationInfo).to.deep.equal({ id: APP_ID, resource: `api://${HOST}/${APP_ID}` });
      expect(manifest.accentColor).to.equal('#005EB8');
    });

    it('takes names, version and the developer from the settings, with sensible defaults', async () => {
      const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
      expect(manifest.version).to.equal(pkg.version);
      expect(manifest.name.short).to.equal('ESR Helpdesk');
      expect(manifest.developer).to.deep.equal({
        name: 'Example NHS Foundation Trust',
        websiteUrl: `https://${HOST}/about`,
        privacyUrl: `https://${HOST}/privacy`,
        termsOfUseUrl: `https://${HOST}/terms`,
      });
      expect(manifest.description.full).to.contain('Example NHS Foundation Trust');

      const teamsAppId = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
      const { manifest: custom } = await buildPackage(
        {
          ...ENV,
          PUBLIC_URL: 'https://teams.example.nhs.uk:8443/esr/',
          TEAMS_APP_ID: teamsAppId.toUpperCase(),
          APP_NAME: 'Workforce Helpdesk',
          APP_VERSION: '2.3.4',
          DEVELOPER_NAME: 'Example NHS FT',
          WEBSITE_URL: 'https://www.example.nhs.uk/esr',
          PRIVACY_URL: 'https://www.example.nhs.uk/privacy',
          TERMS_URL: 'https://www.example.nhs.uk/terms',
        },
        join(tmp, 'custom'),
      );
      const m = custom as Manifest;
      expect(m.id).to.equal(teamsAppId);
      expect(m.bots[0]!.botId).to.equal(APP_ID);
      expect(m.version).to.equal('2.3.4');
      expect(m.name).to.deep.equal({ short: 'Workforce Helpdesk', full: 'Workforce Helpdesk: help with the Electronic Staff Record (ESR)' });
      expect(m.developer).to.deep.equal({ name: 'Example NHS FT', websiteUrl: 'https://www.example.nhs.uk/esr', privacyUrl: 'https://www.example.nhs.uk/privacy', termsOfUseUrl: 'https://www.example.nhs.uk/terms' });
      expect(m.staticTabs.find((t) => t.entityId === 'dashboard')!.contentUrl).to.equal('https://teams.example.nhs.uk:8443/esr/dashboard');
      expect(m.validDomains).to.deep.equal(['teams.example.nhs.uk:8443']);
      expect(m.webApplicationInfo.resource).to.equal(`api://teams.example.nhs.uk:8443/${APP_ID}`);

      const { manifest: plain } = await buildPackage({ MicrosoftAppId: APP_ID, PUBLIC_URL: `https://${HOST}` }, join(tmp, 'plain'));
      // The bot names the Trust from the same default, so the app package and the bot agree.
      const botTrustName = loadConfig({}).TRUST_NAME;
      expect((plain as Manifest).developer.name, 'with neither DEVELOPER_NAME nor TRUST_NAME').to.equal(botTrustName).and.not.equal('Your NHS Trust');
      expect((plain as Manifest).description.full).to.contain(botTrustName);
    });

    it('offers staff the menu flows, in words the bot routes to them', async () => {
      const content = await loadContent({ locale: 'en-GB' });
      const router = new LiveUnderstanding(understandingSource(content, await loadFaq('en-GB')));
      const personal = manifest.bots[0]!.commandLists.find((l) => l.scopes.includes('personal'))!;
      expect(personal.commands).to.have.length(FLOW_IDS.length);
      FLOW_IDS.forEach((id, i) => {
        const command = personal.commands[i]!;
        expect(command.title, id).to.equal(content.t(`menu.flows.${id}.label` as TextKey));
        expect(command.description, id).to.equal(content.t(`menu.flows.${id}.description` as TextKey));
        expect(command.title.length, `${command.title} fits Teams' command menu`).to.be.at.most(32);
        expect(router.recognise(command.title)?.intent, `"${command.title}" starts ${id}`).to.equal(id);
      });
    });

    it("offers agents in a team the channel commands the bot understands", () => {
      const team = manifest.bots[0]!.commandLists.find((l) => l.scopes.includes('team'))!;
      expect(team.commands.map((c) => c.title)).to.deep.equal(['use this channel', 'use this channel for lead employer doctors', 'tickets']);
      expect(parseUseChannel(team.commands[0]!.title)).to.deep.equal({ kind: 'all' });
      expect(parseUseChannel(team.commands[1]!.title)).to.deep.equal({ kind: 'staffGroup', group: 'lead_employer_doctor' });
      for (const c of team.commands) expect(c.description, c.title).to.be.a('string').and.not.be.empty;
    });

    it('has a 192x192 colour icon and a 32x32 outline icon that is white on full transparency', () => {
      expect(pngHeader(files.get('color.png')!)).to.deep.equal({ width: 192, height: 192, bitDepth: 8, colourType: 6 });
      expect(pngHeader(files.get('outline.png')!)).to.deep.equal({ width: 32, height: 32, bitDepth: 8, colourType: 6 });

      const outline = decodePng(files.get('outline.png')!);
      let visible = 0;
      for (let i = 0; i < outline.data.length; i += 4) {
        const [r, g, b, a] = outline.data.subarray(i, i + 4);
        if (a === 0) continue;
        visible++;
        expect([r, g, b], `outline pixel ${i / 4}`).to.deep.equal([255, 255, 255]);
      }
      expect(visible, 'the outline shows something').to.be.greaterThan(100);
      expect(outline.data[3], 'the corner is transparent').to.equal(0);

      const colour = decodePng(files.get('color.png')!);
      const at = (x: number, y: number) => [...colour.data.subarray((y * 192 + x) * 4, (y * 192 + x) * 4 + 4)];
      expect(at(10, 96), 'NHS blue background').to.deep.equal([0x00, 0x5e, 0xb8, 255]);
      expect(at(96, 50), 'white speech bubble').to.deep.equal([255, 255, 255, 255]);
    });

    it('ships the icons scripts/make-icons.ts draws (npm run icons)', async () => {
      for (const [file, drawn] of [['color.png', drawColorIcon()], ['outline.png', drawOutlineIcon()]] as const) {
        const committed = decodePng(await readFile(join(MANIFEST_DIR, file)));
        expect({ width: committed.width, height: committed.height }).to.deep.equal({ width: drawn.width, height: drawn.height });
        expect(Buffer.from(committed.data).equals(Buffer.from(drawn.data)), `${file} matches what the script draws: run npm run icons`).to.equal(true);
      }
    });

    it('builds the same bytes from the same settings', async () => {
      const again = await buildPackage(ENV, join(tmp, 'again'));
      expect((await readFile(again.file)).equals(zipBytes)).to.equal(true);
    });
  });

  describe('refuses what Teams would refuse, naming the setting or field, and writes nothing', () => {
    const refusals: Array<{ name: string; env: Record<string, string>; field: string; says: RegExp }> = [
      { name: 'an app id that is not a GUID', env: { MicrosoftAppId: 'esr-helpdesk-bot' }, field: 'MicrosoftAppId', says: /GUID.*"esr-helpdesk-bot"/ },
      { name: 'no app id', env: { MicrosoftAppId: '' }, field: 'MicrosoftAppId', says: /required/ },
      { name: 'a Teams app id that is not a GUID', env: { TEAMS_APP_ID: '12345' }, field: 'TEAMS_APP_ID', says: /GUID/ },
      { name: 'an http:// PUBLIC_URL', env: { PUBLIC_URL: `http://${HOST}` }, field: 'PUBLIC_URL', says: /https/ },
      { name: 'no PUBLIC_URL', env: { PUBLIC_URL: ' ' }, field: 'PUBLIC_URL', says: /required/ },
      { name: 'a PUBLIC_URL that is not a URL', env: { PUBLIC_URL: HOST }, field: 'PUBLIC_URL', says: /full https:\/\/ URL/ },
      { name: 'version "1.0"', env: { APP_VERSION: '1.0' }, field: 'APP_VERSION', says: /MAJOR\.MINOR\.PATCH.*"1\.0"/ },
      { name: 'a pre-release version', env: { APP_VERSION: '1.0.0-beta' }, field: 'APP_VERSION', says: /MAJOR\.MINOR\.PATCH/ },
      { name: 'an http:// privacy page', env: { PRIVACY_URL: 'http://www.example.nhs.uk/privacy' }, field: 'PRIVACY_URL', says: /https/ },
      { name: 'an app name longer than 30 characters', env: { APP_NAME: 'Electronic Staff Record Helpdesk' }, field: 'APP_NAME', says: /30 characters/ },
      { name: 'a Trust name too long for the developer name', env: { TRUST_NAME: 'Manchester University NHS Foundation Trust' }, field: 'DEVELOPER_NAME', says: /TRUST_NAME.*32 characters/ },
    ];
    for (const c of refusals) {
      it(c.name, async () => {
        const out = join(tmp, `refused-${c.field}-${refusals.indexOf(c)}`);
        const error = await buildPackage({ ...ENV, ...c.env }, out).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(PackageError);
        const problems = (error as PackageError).problems;
        expect(problems.map((p) => p.field)).to.include(c.field);
        expect(problems.find((p) => p.field === c.field)!.problem).to.match(c.says);
        expect((error as PackageError).message).to.contain(`${c.field}:`);
        expect(existsSync(out), 'nothing written').to.equal(false);
      });
    }

    describe('icons', () => {
      /** A manifest folder like the project's, with one icon replaced. */
      async function manifestDirWith(file: string, bytes: Buffer): Promise<string> {
        const dir = await mkdtemp(join(tmp, 'manifest-'));
        for (const f of ['manifest.template.json', 'color.png', 'outline.png']) await copyFile(join(MANIFEST_DIR, f), join(dir, f));
        await writeFile(join(dir, file), bytes);
        return dir;
      }
      const outlineWithColouredPixel = () => {
        const outline = decodePng(files.get('outline.png')!);
        outline.data.set([0x00, 0x5e, 0xb8, 255], (10 * 32 + 3) * 4); // x=3, y=10
        return encodePng(outline);
      };
      const cases: Array<{ name: string; file: string; bytes: () => Buffer; says: RegExp }> = [
        { name: 'a colour icon of the wrong size', file: 'color.png', bytes: () => encodePng(image(96, 96, [0, 94, 184, 255])), says: /96x96.*192x192/ },
        { name: 'an outline icon of the wrong size', file: 'outline.png', bytes: () => encodePng(image(48, 48, [255, 255, 255, 0])), says: /48x48.*32x32/ },
        { name: 'a coloured pixel in the outline icon', file: 'outline.png', bytes: outlineWithColouredPixel, says: /1 pixel.*x=3, y=10.*rgba\(0, 94, 184, 255\).*white/ },
        { name: 'an outline icon on a black background', file: 'outline.png', bytes: () => encodePng(image(32, 32, [0, 0, 0, 255])), says: /1024 pixel/ },
        { name: 'an empty outline icon', file: 'outline.png', bytes: () => encodePng(image(32, 32, [255, 255, 255, 0])), says: /completely transparent/ },
        { name: 'a palette PNG it cannot check', file: 'outline.png', bytes: () => palettePng(32), says: /8-bit palette PNG.*RGBA \(colour type 6\)/ },
        { name: 'a file that is not a PNG', file: 'color.png', bytes: () => Buffer.from('<svg/>'), says: /not a PNG/ },
      ];
      for (const c of cases) {
        it(c.name, async () => {
          const out = join(tmp, `refused-icon-${cases.indexOf(c)}`);
          const error = await buildPackage(ENV, out, { manifestDir: await manifestDirWith(c.file, c.bytes()) }).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).to.be.instanceOf(PackageError);
          const problem = (error as PackageError).problems.find((p) => p.field === c.file);
          expect(problem, JSON.stringify((error as PackageError).problems)).to.not.equal(undefined);
          expect(problem!.problem).to.match(c.says);
          expect(existsSync(out), 'nothing written').to.equal(false);
        });
      }

      it('a template placeholder the build does not know', async () => {
        const template = (await readFile(join(MANIFEST_DIR, 'manifest.template.json'), 'utf8')).replace('"{{APP_VERSION}}"', '"{{APP_VERSON}}"');
        const dir = await manifestDirWith('manifest.template.json', Buffer.from(template));
        const error = await buildPackage(ENV, join(tmp, 'refused-template'), { manifestDir: dir }).catch((e: unknown) => e);
        expect((error as PackageError).problems).to.deep.equal([{ field: 'version', problem: (error as PackageError).problems[0]!.problem }]);
        expect((error as PackageError).problems[0]!.problem).to.match(/\{\{APP_VERSON\}\}/);
        expect(existsSync(join(tmp, 'refused-template'))).to.equal(false);
      });
    });

    describe('a manifest checked directly (validateManifest)', () => {
      const cases: Array<{ name: string; edit: (m: Manifest) => void; field: string; says: RegExp }> = [
        { name: 'an app id that is not a GUID', edit: (m) => (m.id = 'esr-helpdesk'), field: 'id', says: /GUID/ },
        { name: 'a bot id that is not a GUID', edit: (m) => (m.bots[0]!.botId = 'esr-helpdesk'), field: 'bots[0].botId', says: /GUID/ },
        { name: 'an SSO app id that is not a GUID', edit: (m) => (m.webApplicationInfo.id = 'x'), field: 'webApplicationInfo.id', says: /GUID/ },
        { name: 'version "1.0"', edit: (m) => (m.version = '1.0'), field: 'version', says: /MAJOR\.MINOR\.PATCH/ },
        { name: 'an http tab', edit: (m) => (m.staticTabs[1]!.contentUrl = `http://${HOST}/dashboard`), field: 'staticTabs[1].contentUrl', says: /must be https/ },
        { name: 'an http privacy page', edit: (m) => (m.developer.privacyUrl = 'http://www.example.nhs.uk/privacy'), field: 'developer.privacyUrl', says: /must be https/ },
        { name: 'a valid domain with a scheme and path', edit: (m) => (m.validDomains = [`https://${HOST}/dashboard`]), field: 'validDomains[0]', says: /host name only/ },
        { name: 'a tab on a domain that is not valid', edit: (m) => (m.configurableTabs[0]!.configurationUrl = 'https://elsewhere.example.com/configure'), field: 'configurableTabs[0].configurationUrl', says: /not in validDomains/ },
        { name: 'an SSO resource on another host', edit: (m) => (m.webApplicationInfo.resource = `api://elsewhere.example.com/${APP_ID}`), field: 'webApplicationInfo.resource', says: /not in validDomains/ },
        { name: 'an SSO resource for another app', edit: (m) => (m.webApplicationInfo.resource = `api://${HOST}/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d`), field: 'webApplicationInfo.resource', says: /should end with/ },
        { name: 'a short name over the schema limit', edit: (m) => (m.name.short = 'x'.repeat(31)), field: 'name.short', says: /30 characters.*official schema v1\.29/ },
        { name: 'a property the schema does not know', edit: (m) => (m.colour = 'blue'), field: 'colour', says: /not a property the schema allows/ },
        { name: 'a bot scope the schema does not know', edit: (m) => (m.bots[0]!.scopes = ['personal', 'channel']), field: 'bots[0].scopes[1]', says: /allowed values.*"team"/ },
        { name: 'a $schema that would be downloaded', edit: (m) => (m.$schema = 'https://example.com/teams.schema.json'), field: '$schema', says: /offline/ },
        { name: 'a manifestVersion that is not the $schema version', edit: (m) => (m.manifestVersion = '1.28'), field: 'manifestVersion', says: /"1\.29"/ },
      ];
      for (const c of cases) {
        it(c.name, async () => {
          const broken = copy();
          c.edit(broken);
          const problems: Problem[] = await validateManifest(broken, icons());
          const problem = problems.find((p) => p.field === c.field);
          expect(problem, JSON.stringify(problems)).to.not.equal(undefined);
          expect(problem!.problem).to.match(c.says);
        });
      }

      it('a missing icon file', async () => {
        const problems = await validateManifest(copy(), { 'color.png': files.get('color.png')! });
        expect(problems).to.deep.include({ field: 'icons.outline', problem: 'names outline.png, which is not in the package' });
      });
    });
  });

  describe('the command line', () => {
    it('writes the package to --out and says where, exit code 0', async () => {
      const out = join(tmp, 'cli');
      const result = await run(['--out', out], ENV);
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.contain(`Wrote ${join(out, 'appPackage.zip')}`);
      expect(result.stdout).to.contain('Upload new app');
      expect((await readFile(join(out, 'appPackage.zip'))).equals(zipBytes), 'the same bytes as buildPackage').to.equal(true);
    });

    it('refuses a bad environment: names each setting, exit code 1, nothing written', async () => {
      const out = join(tmp, 'cli-refused');
      const result = await run(['--out', out], { MicrosoftAppId: 'not-a-guid', PUBLIC_URL: `http://${HOST}`, APP_VERSION: '1.0' });
      expect(result.code).to.equal(1);
      expect(result.stderr).to.contain('not written');
      expect(result.stderr).to.match(/MicrosoftAppId: should be a GUID/);
      expect(result.stderr).to.match(/PUBLIC_URL: must be an https:\/\/ URL/);
      expect(result.stderr).to.match(/APP_VERSION: should be a version as MAJOR\.MINOR\.PATCH/);
      expect(existsSync(out)).to.equal(false);
    });

    it('refuses a bad icon: names the file, exit code 1, nothing written', async () => {
      const dir = join(tmp, 'cli-manifest');
      await mkdir(dir);
      for (const f of ['manifest.template.json', 'color.png']) await copyFile(join(MANIFEST_DIR, f), join(dir, f));
      await writeFile(join(dir, 'outline.png'), encodePng(image(32, 32, [0, 94, 184, 255])));
      const out = join(tmp, 'cli-refused-icon');
      const result = await run(['--out', out, '--manifest-dir', dir], ENV);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.match(/outline\.png: has 1024 pixel\(s\) that are neither white nor fully transparent/);
      expect(existsSync(out)).to.equal(false);
    });
  });
});
