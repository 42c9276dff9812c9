// Two organisations served by one deployment, end to end over HTTP: each person hears their own
// organisation's contacts and hours, their tickets go to their organisation's channel and team mailbox,
// their emails and pages carry their Trust's name, and the export picks one organisation's tickets.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { ManualClock } from '../../core/clock.js';
import type { StaffRecord } from '../../esr/types.js';
import { TWO_ORGANISATIONS } from '../support/organisations.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtpServer.js';
import { replyText, type TeamsUser } from '../support/teamsUser.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';

const run = promisify(execFile);

const WIGAN_PERSON = { userId: '29:wyn', aadObjectId: '00000000-0000-4000-8000-000000000242', name: 'Wyn Wigan' };
const WIGAN_RECORD: StaffRecord = {
  username: '242WWIGAN01',
  firstName: 'Wyn',
  lastName: 'Wigan',
  workEmail: 'wyn.wigan@wigan.example',
  dateOfBirth: '1980-02-03',
  staffGroup: 'substantive',
  entraObjectId: WIGAN_PERSON.aadObjectId,
  organisationCode: '242',
};

const GENERAL = '19:general@thread.tacv2';
const WIGAN_CHANNEL = '19:wigan@thread.tacv2';
// A Monday at 10:00 in London: Bolton's team is in, Wigan's (weekends only) is not.
const MONDAY_10AM = '2026-01-05T10:00:00Z';

describe('two organisations in one deployment', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  let bolton: TeamsUser;
  let wigan: TeamsUser;
  let activityCount = 0;

  beforeEach(async () => {
    smtp = await startSmtpServer();
    const dataDir = await mkdtemp(join(tmpdir(), 'esr-orgs-'));
    await writeFile(join(dataDir, 'organisations.json'), JSON.stringify(TWO_ORGANISATIONS));
    t = await startTestApp({ dataDir, clock: new ManualClock(MONDAY_10AM), housekeeping: false, env: { SMTP_URL: smtp.url, ESR_MODE: 'simulated' } });
    await t.app.staff.upsertMany([WIGAN_RECORD]);
    bolton = t.user(DEMO_USERS.chris);
    wigan = t.user(WIGAN_PERSON);
  });
  afterEach(async () => {
    await t.stop({ keepData: false });
    await smtp.stop();
  });

  async function say(user: TeamsUser, text: string): Promise<string> {
    return (await user.say(text)).map(replyText).join('\n');
  }

  async function inChannel(channelId: string, text: string): Promise<string> {
    const before = t.connector.activitiesFor(channelId).length;
    const activity = {
      type: 'message',
      id: `agent-${++activityCount}`,
      timestamp: new Date().toISOString(),
      channelId: 'msteams',
      serviceUrl: t.connector.url,
      from: { id: '29:agent', name: 'Priya Agent', aadObjectId: 'a0000000-0000-4000-8000-000000000001' },
      recipient: { id: '28:bot', name: 'ESR Helpdesk' },
      conversation: { id: channelId, conversationType: 'channel', isGroup: true, tenantId: 'tenant-1' },
      channelData: { channel: { id: channelId }, team: { id: '19:team@thread.tacv2' }, tenant: { id: 'tenant-1' } },
      locale: 'en-GB',
      text,
    };
    const res = await fetch(`${t.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    await res.arrayBuffer();
    expect(res.status).to.equal(200);
    return t.connector.activitiesFor(channelId).slice(before).map(replyText).join('\n');
  }

  /** The channel each new ticket thread was started in, in order. */
  const postedTo = () =>
    t.connector.calls.filter((c) => c.method === 'POST' && c.path === '/v3/conversations').map((c) => (c.body.channelData as { channel: { id: string } }).channel.id);

  it('tells each person their own organisation\'s contacts and office hours', async () => {
    const boltonHelp = await say(bolton, 'help');
    expect(boltonHelp).to.contain('Monday to Friday, 9am to 5pm').and.contain('workforce.241@bolton.example');
    expect(boltonHelp).not.to.contain('wigan');
    // Wigan's default language is Welsh: Wyn, whose Teams is in English and who chose none, is answered in Welsh.
    const wiganHelp = await say(wigan, 'help');
    expect(wiganHelp).to.contain('Dydd Sadwrn i ddydd Sul, 10am i 2pm').and.contain('workforce.242@wigan.example');
    expect(wiganHelp).not.to.contain('bolton');
  });

  it('sends a ticket to its organisation\'s channel and team mailbox, with its organisation\'s hours, and the rest to the general channel', async () => {
    expect(await inChannel(GENERAL, 'use this channel')).to.contain('will be posted in this channel');
    expect(await inChannel(WIGAN_CHANNEL, 'use this channel for organisation 242')).to.contain('organisation 242 (Wigan Teaching Hospitals)');

    const wiganReply = await say(wigan, 'siarad â rhywun');
    expect(wiganReply).to.contain('ESR-00001').and.contain('Dydd Sadwrn i ddydd Sul, 10am i 2pm');
    const boltonReply = await say(bolton, 'speak to someone');
    expect(boltonReply).to.contain('ESR-00002').and.not.contain('Saturday');

    expect(postedTo()).to.deep.equal([WIGAN_CHANNEL, GENERAL]);
    expect((await t.app.tickets.get(1))!.organisationCode).to.equal('242');
    expect((await t.app.tickets.get(2))!.organisationCode).to.equal('241');
    await t.app.mail.deliverDue();
    const toWigan = await smtp.waitFor((m) => m.subject.startsWith('ESR-00001'), 5_000);
    expect(toWigan.envelope.to).to.deep.equal(['workforce.242@wigan.example']);
    const toBolton = await smtp.waitFor((m) => m.subject.startsWith('ESR-00002'), 5_000);
    expect(toBolton.envelope.to).to.deep.equal(['workforce.241@bolton.example']);
  });

  it('refuses a channel for an organisation it does not serve, naming the ones it does', async () => {
    expect(await inChannel(WIGAN_CHANNEL, 'use this channel for organisation 999')).to.contain('does not serve an organisation 999').and.contain('241, 242');
  });

  it('puts the person\'s own Trust name in their emails and on the page their link opens', async () => {
    await t.setUpAtWork(WIGAN_PERSON, WIGAN_RECORD.username);
    await t.app.esr.sendAccountHelp('password', [WIGAN_RECORD], { actor: { kind: 'staff', id: WIGAN_PERSON.aadObjectId }, channel: 'teams' });
    await t.app.background.idle();
    await t.app.mail.deliverDue();
    const mail = await smtp.waitFor((m) => m.envelope.to.includes(WIGAN_RECORD.workEmail), 5_000);
    expect(mail.text).to.contain('Wigan Teaching Hospitals').and.contain('workforce.242@wigan.example').and.not.contain('Bolton');
    const link = /https?:\/\/\S+\/reset\?token=[\w-]+/.exec(mail.text)![0];
    const page = await (await fetch(`${t.url}${new URL(link).pathname}${new URL(link).search}`)).text();
    expect(page).to.contain('Wigan Teaching Hospitals').and.not.contain('Bolton NHS Foundation Trust');
    // The information pages: the first organisation's, or the one asked for.
    expect(await (await fetch(`${t.url}/about`)).text()).to.contain('Bolton NHS Foundation Trust');
    expect(await (await fetch(`${t.url}/about?organisation=242`)).text()).to.contain('Wigan Teaching Hospitals').and.contain('Buckingham Row, Wigan');
  });

  it('exports one organisation\'s tickets with --organisation', async () => {
    await say(wigan, 'siarad â rhywun');
    await say(bolton, 'speak to someone');
    const out = join(t.dataDir, 'export.csv');
    await run(process.execPath, ['--import', 'tsx', 'scripts/tickets-export.ts', '--from', '2026-01-01', '--organisation', '242', '--out', out, '--data-dir', t.dataDir]);
    const rows = (await readFile(out, 'utf8')).trim().split('\r\n');
    expect(rows).to.have.length(2);
    expect(rows[1]).to.contain('ESR-00001').and.contain('Wyn Wigan').and.match(/,242$/);
    await run(process.execPath, ['--import', 'tsx', 'scripts/tickets-export.ts', '--from', '2026-01-01', '--organisation', '241', '--out', out, '--data-dir', t.dataDir]);
    const bolton241 = (await readFile(out, 'utf8')).trim().split('\r\n');
    expect(bolton241).to.have.length(2);
    expect(bolton241[1]).to.contain('ESR-00002');
  });
});
