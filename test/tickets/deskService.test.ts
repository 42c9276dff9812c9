// The helpdesk's decisions without Teams: which channel and mailbox a ticket or task goes to, one winner
// among agents acting at once, who is told what when Teams cannot reach them, and the relays between an
// agent and a member of staff. The ports to Teams and email are recorders; the tickets, the channel
// registry and the organisations are the real ones.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { organisationValues } from '../../bot/app.js';
import { parseOrganisations } from '../../bot/organisations.js';
import type { QueueScope } from '../../tickets/queues.js';
import { LowdbQueueRegistry } from '../../storage/lowdbQueueRegistry.js';
import { loadContent, type Content } from '../../content/content.js';
import type { Language, PerLanguage } from '../../content/language.js';
import type { StaffAccount, StaffRecord } from '../../esr/types.js';
import type { AgentChannel, CardView, DeskMailer, Delivery, PostedCard, StaffMessage, StaffMessenger } from '../../tickets/channels.js';
import { DeskService } from '../../tickets/deskService.js';
import type { ScreenshotSource, StaffAsking } from '../../tickets/deskTypes.js';
import { inertText } from '../../tickets/inertText.js';
import { conversationIdOf, type StagedUpload, type UploadStaging } from '../../tickets/ports.js';
import type { Ticket } from '../../tickets/types.js';
import { TWO_ORGANISATIONS } from '../support/organisations.js';
import { createTicketHarness, pngBytes, RIA, SAM, type TicketHarness } from './fixtures.js';

// ----------------------------------------------------------------------------------- recorders

class RecordingChannel implements AgentChannel {
  readonly posts: Array<{ queueId: string; ref: string }> = [];
  readonly updates: string[] = [];
  readonly thread: Array<{ ref: string; text: string }> = [];
  #cards = 0;

  post(queueId: string, ticket: Ticket, _view: CardView): Promise<PostedCard> {
    this.posts.push({ queueId, ref: ticket.ref });
    const activityId = `card-${++this.#cards}`;
    return Promise.resolve({ activityId, threadConversationId: `${queueId};messageid=${activityId}` });
  }

  update(ticket: Ticket): Promise<void> {
    this.updates.push(ticket.ref);
    return Promise.resolve();
  }

  postInThread(ticket: Ticket, text: string): Promise<void> {
    this.thread.push({ ref: ticket.ref, text });
    return Promise.resolve();
  }
}

class RecordingMessenger implements StaffMessenger {
  readonly sent: Array<{ to: string; message: StaffMessage }> = [];
  /** Conversation ids whose person has blocked the bot. */
  readonly blocked = new Set<string>();

  send(conversation: Record<string, unknown>, message: StaffMessage): Promise<Delivery> {
    const to = conversationIdOf(conversation)!;
    this.sent.push({ to, message });
    return Promise.resolve(this.blocked.has(to) ? { ok: false, reason: 'blocked' } : { ok: true });
  }

  textsTo(conversationId: string): string[] {
    return this.sent.filter((s) => s.to === conversationId).map((s) => (s.message.kind === 'rating' ? '[rating card]' : s.message.text));
  }
}

class RecordingMailer implements DeskMailer {
  readonly toTeams: Array<{ to: string; ref: string; update?: string }> = [];
  readonly toPeople: Array<{ to: string | undefined; ref: string; text: string; language: Language }> = [];

  toTeam(mail: Parameters<DeskMailer['toTeam']>[0]): Promise<void> {
    this.toTeams.push({ to: mail.to, ref: mail.ticket.ref, ...(mail.update ? { update: mail.update } : {}) });
    return Promise.resolve();
  }

  toPerson(mail: Parameters<DeskMailer['toPerson']>[0]): Promise<boolean> {
    this.toPeople.push({ to: mail.ticket.requester.email, ref: mail.ticket.ref, text: mail.text, language: mail.language });
    return Promise.resolve(mail.ticket.requester.email !== undefined);
  }
}

class MemoryUploads implements UploadStaging {
  readonly #kept = new Map<string, Buffer>();
  keep(file: { name: string; contentType: string; bytes: Buffer }): Promise<StagedUpload> {
    const id = `u${this.#kept.size + 1}`;
    this.#kept.set(id, file.bytes);
    return Promise.resolve({ id, name: file.name, contentType: file.contentType, bytes: file.bytes.length });
  }
  read(id: string): Promise<Buffer | undefined> {
    return Promise.resolve(this.#kept.get(id));
  }
  discard(ids: string[]): Promise<void> {
    ids.forEach((id) => this.#kept.delete(id));
    return Promise.resolve();
  }
  purgeBefore(): Promise<number> {
    return Promise.resolve(0);
  }
  get size(): number {
    return this.#kept.size;
  }
}

// ----------------------------------------------------------------------------------- people

const person = (username: string, firstName: string, staffGroup: StaffRecord['staffGroup']): StaffRecord => ({
  username,
  firstName,
  lastName: 'Example',
  workEmail: `${firstName.toLowerCase()}@nhs-trust.example`,
  dateOfBirth: '1990-01-01',
  staffGroup,
  entraObjectId: `oid-${username.toLowerCase()}`,
});

const PEOPLE = {
  /** A lead employer doctor employed through Wigan (242). */
  drWigan: person('242DRWIGAN01', 'Rhys', 'lead_employer_doctor'),
  /** A lead employer doctor in Bolton (241). */
  drBolton: person('241DRBOLTON01', 'Priya', 'lead_employer_doctor'),
  nurseWigan: person('242NWIGAN01', 'Carys', 'substantive'),
  porterWigan: person('242PWIGAN01', 'Owen', 'bank'),
  nurseBolton: person('241NBOLTON01', 'Aisha', 'substantive'),
};

// ----------------------------------------------------------------------------------- harness

interface DeskHarness {
  desk: DeskService;
  tickets: TicketHarness;
  channel: RecordingChannel;
  messenger: RecordingMessenger;
  mailer: RecordingMailer;
  uploads: MemoryUploads;
  content: PerLanguage<Content>;
  /** Chooses a channel for a scope, as "use this channel [for ...]" does; returns its queue id. */
  use(channelId: string, scope: QueueScope): Promise<string>;
  asking(record: StaffRecord, language?: Language): StaffAsking;
  cleanup(): Promise<void>;
}

async function createDeskHarness(): Promise<DeskHarness> {
  const tickets = await createTicketHarness();
  const queueDir = await mkdtemp(join(tmpdir(), 'esr-desk-queues-'));
  const queues = await LowdbQueueRegistry.open(join(queueDir, 'queues.json'));
  const organisations = parseOrganisations(JSON.stringify(TWO_ORGANISATIONS));
  const content: PerLanguage<Content> = { 'en-GB': await loadContent({ locale: 'en-GB' }), 'cy-GB': await loadContent({ locale: 'cy-GB' }) };
  const accounts = new Map(Object.values(PEOPLE).map((r) => [r.entraObjectId!, [{ record: r } as StaffAccount]]));
  const channel = new RecordingChannel();
  const messenger = new RecordingMessenger();
  const mailer = new RecordingMailer();
  const uploads = new MemoryUploads();
  const desk = new DeskService({
    tickets: tickets.service,
    esr: { findByTeamsIdentity: (identity) => Promise.resolve(accounts.get(identity.entraObjectId ?? '') ?? []) },
    content: content['en-GB'],
    contents: content,
    organisations: {
      forRecord: (record) => organisations.forRecord(record),
      forCode: (code) => organisations.forCode(code),
      all: () => organisations.all(),
      values: (org, language) => organisationValues(organisations.forCode(org.code), { ESR_LOGIN_URL: 'https://esr.example' }, language),
    },
    queues,
    channel,
    messenger,
    mail: mailer,
    uploads,
    signer: { sign: (path, expiresAt) => `${path}?exp=${Math.floor(expiresAt.getTime() / 1000)}&sig=test` },
    clock: tickets.clock,
    log: { warn: () => undefined, error: () => undefined },
    settings: { publicUrl: 'https://helpdesk.example', esrMode: 'guided' },
  });
  return {
    desk,
    tickets,
    channel,
    messenger,
    mailer,
    uploads,
    content,
    use: async (channelId, scope) => (await queues.use({ reference: {}, channelId, at: tickets.clock.now().toISOString() }, scope)).id,
    asking: (record, language) => ({
      profile: { teamsUserId: `29:${record.username}`, entraObjectId: record.entraObjectId!, displayName: `${record.firstName} ${record.lastName}` },
      conversation: { conversation: { id: `a:${record.username}` } },
      ...(language ? { language } : {}),
      transcript: [],
    }),
    cleanup: async () => {
      await tickets.cleanup();
      await rm(queueDir, { recursive: true, force: true });
    },
  };
}

const report = { category: 'login' as const, description: 'ESR says my account is locked', screenshots: [], context: {}, wantsPerson: false };
const unlock = { kind: 'unlock' as const, tried: ['Tried the reset link'], screenshots: [], context: {} };

/** A file in a message that is fetched only when asked for. */
function source(name: string, fetched: string[]): ScreenshotSource {
  return {
    name,
    fetch: () => {
      fetched.push(name);
      return Promise.resolve({ ok: true, name, contentType: 'image/png', bytes: pngBytes() });
    },
  };
}

describe('the helpdesk service, without Teams', () => {
  let h: DeskHarness;
  beforeEach(async () => (h = await createDeskHarness()));
  afterEach(() => h.cleanup());

  const queueOf = (ref: string) => h.channel.posts.find((p) => p.ref === ref)?.queueId;

  describe('routing', () => {
    it("sends a ticket to its staff group's channel first, then its category's, then its organisation's, then the general one", async () => {
      const general = await h.use('general', { kind: 'all' });
      const wigan = await h.use('wigan', { kind: 'organisation', code: '242' });
      const payslips = await h.use('payslips', { kind: 'category', category: 'payslip' });
      const doctors = await h.use('doctors', { kind: 'staffGroup', group: 'lead_employer_doctor' });

      const doctorsPayslip = await h.desk.submit(h.asking(PEOPLE.drWigan), { ...report, category: 'payslip' });
      const wiganPayslip = await h.desk.submit(h.asking(PEOPLE.nurseWigan), { ...report, category: 'payslip' });
      const wiganLogin = await h.desk.submit(h.asking(PEOPLE.porterWigan), report);
      const boltonLogin = await h.desk.submit(h.asking(PEOPLE.nurseBolton), report);

      expect([doctorsPayslip, wiganPayslip, wiganLogin, boltonLogin].map((o) => queueOf(o.ref))).to.deep.equal([doctors, payslips, wigan, general]);
    });

    it("emails a lead employer doctor's ticket to their organisation's lead employer team, and the others to their organisation's workforce team", async () => {
      const doctor = await h.desk.submit(h.asking(PEOPLE.drWigan), report);
      const nurse = await h.desk.submit(h.asking(PEOPLE.nurseBolton), report);
      expect(doctor.team).to.equal('leadEmployer');
      expect(nurse.team).to.equal('workforce');
      expect(h.mailer.toTeams).to.deep.equal([
        { to: 'lead.242@wigan.example', ref: doctor.ref },
        { to: 'workforce.241@bolton.example', ref: nurse.ref },
      ]);
    });

    it("sends an ESR admin task to its organisation's channel first, then the admin tasks channel, and never to a staff group's", async () => {
      await h.use('general', { kind: 'all' });
      const tasks = await h.use('tasks', { kind: 'tasks' });
      const wigan = await h.use('wigan', { kind: 'organisation', code: '242' });
      await h.use('doctors', { kind: 'staffGroup', group: 'lead_employer_doctor' });

      const wiganDoctor = await h.desk.raiseAdminTask(h.asking(PEOPLE.drWigan), unlock);
      const boltonDoctor = await h.desk.raiseAdminTask(h.asking(PEOPLE.drBolton), unlock);
      expect([queueOf(wiganDoctor.ref), queueOf(boltonDoctor.ref)]).to.deep.equal([wigan, tasks]);
    });

    it('sends an ESR admin task to the general channel when no channel takes tasks or its organisation', async () => {
      const general = await h.use('general', { kind: 'all' });
      await h.use('payslips', { kind: 'category', category: 'payslip' });
      const task = await h.desk.raiseAdminTask(h.asking(PEOPLE.nurseBolton), unlock);
      expect(queueOf(task.ref)).to.equal(general);
    });

    it('emails a ticket nobody has a channel for, and posts it, oldest first, once a channel is chosen', async () => {
      const first = await h.desk.submit(h.asking(PEOPLE.nurseBolton), report);
      h.tickets.clock.advance(60_000);
      const second = await h.desk.submit(h.asking(PEOPLE.porterWigan), report);
      expect(h.channel.posts).to.deep.equal([]);
      expect(h.mailer.toTeams.map((m) => m.ref)).to.deep.equal([first.ref, second.ref]);

      const general = await h.use('general', { kind: 'all' });
      await h.desk.postWaiting();
      expect(h.channel.posts).to.deep.equal([{ queueId: general, ref: first.ref }, { queueId: general, ref: second.ref }]);
      expect((await h.tickets.service.getByRef(first.ref))?.channelPost?.queueId).to.equal(general);
    });
  });

  describe('intake', () => {
    it('keeps at most five screenshots for a report, and never fetches the sixth', async () => {
      const fetched: string[] = [];
      const names = ['1.png', '2.png', '3.png', '4.png', '5.png', '6.png'];
      const { accepted, refused } = await h.desk.collectScreenshots(names.slice(0, 4).map((n) => source(n, fetched)), 0);
      const more = await h.desk.collectScreenshots(names.slice(4).map((n) => source(n, fetched)), accepted.length);
      expect([...accepted, ...more.accepted].map((s) => s.name)).to.deep.equal(names.slice(0, 5));
      expect([...refused, ...more.refused]).to.deep.equal([{ name: '6.png', reason: 'too_many' }]);
      expect(fetched).to.deep.equal(names.slice(0, 5));
    });

    it("files a report's kept screenshots with its ticket and lets them go from the staging", async () => {
      const { accepted } = await h.desk.collectScreenshots([source('error.png', [])], 0);
      const outcome = await h.desk.submit(h.asking(PEOPLE.nurseBolton), { ...report, screenshots: accepted });
      const ticket = (await h.tickets.service.getByRef(outcome.ref))!;
      expect(ticket.screenshots.map((s) => s.fileName)).to.deep.equal(['error.png']);
      expect(h.uploads.size).to.equal(0);
    });
  });

  describe("agents' actions", () => {
    it('lets exactly one of two agents who take over at the same moment have the ticket, and tells the other who has it', async () => {
      await h.use('general', { kind: 'all' });
      const { ref } = await h.desk.submit(h.asking(PEOPLE.nurseBolton), report);
      const id = (await h.tickets.service.getByRef(ref))!.id;

      const results = await Promise.all([h.desk.act('takeOver', id, SAM, 'teams'), h.desk.act('takeOver', id, RIA, 'dashboard')]);

      const winners = results.filter((r) => r.ok);
      expect(winners).to.have.length(1);
      const holder = winners[0]!.ticket!.assignee!;
      const loser = results.find((r) => !r.ok)!;
      expect(loser.message).to.equal(h.content['en-GB'].t('agents.alreadyHeld', { agent: holder.name }));
      const ticket = (await h.tickets.service.get(id))!;
      expect(ticket.assignee).to.deep.equal(holder);
      expect(ticket.events.filter((e) => e.action === 'taken_over')).to.have.length(1);
      // The person hears once, from the winner.
      expect(h.messenger.textsTo(`a:${PEOPLE.nurseBolton.username}`)).to.deep.equal([h.content['en-GB'].t('live.takenOver', { agent: holder.name, ref })]);
    });

    it('emails a person who has blocked the bot instead, in their language, and tells the agents in the thread', async () => {
      await h.use('general', { kind: 'all' });
      const task = await h.desk.raiseAdminTask(h.asking(PEOPLE.nurseBolton, 'cy-GB'), unlock);
      const id = (await h.tickets.service.getByRef(task.ref))!.id;
      h.messenger.blocked.add(`a:${PEOPLE.nurseBolton.username}`);

      const outcome = await h.desk.act('taskDone', id, SAM, 'teams');

      expect(outcome.ok).to.equal(true);
      expect(h.mailer.toPeople).to.have.length(1);
      expect(h.mailer.toPeople[0]).to.include({ to: PEOPLE.nurseBolton.workEmail, ref: task.ref, language: 'cy-GB' });
      expect(h.mailer.toPeople[0]!.text).to.contain(task.ref).and.equal(h.messenger.textsTo(`a:${PEOPLE.nurseBolton.username}`)[0]);
      const blocked = h.content['en-GB'].t('agents.blocked');
      expect(h.channel.thread).to.deep.equal([{ ref: task.ref, text: h.content['en-GB'].t('agents.notDelivered', { name: 'Aisha Example', reason: blocked }) }]);
      const last = (await h.tickets.service.get(id))!.transcript.at(-1)!;
      expect(last).to.include({ from: 'system', delivered: false, note: blocked });
    });

    it('sends no email to a person Teams reached', async () => {
      const task = await h.desk.raiseAdminTask(h.asking(PEOPLE.nurseBolton), unlock);
      await h.desk.act('taskDone', (await h.tickets.service.getByRef(task.ref))!.id, SAM, 'teams');
      expect(h.messenger.textsTo(`a:${PEOPLE.nurseBolton.username}`)).to.have.length(1);
      expect(h.mailer.toPeople).to.deep.equal([]);
    });
  });

  describe('relays', () => {
    const replies: string[] = [];
    const reply = (text: string) => {
      replies.push(text);
      return Promise.resolve();
    };
    beforeEach(() => replies.splice(0));

    async function liveTicket(language?: Language): Promise<Ticket> {
      await h.use('general', { kind: 'all' });
      const { ref } = await h.desk.submit(h.asking(PEOPLE.nurseBolton, language), { ...report, wantsPerson: true });
      const id = (await h.tickets.service.getByRef(ref))!.id;
      const taken = await h.desk.act('takeOver', id, SAM, 'teams');
      h.messenger.sent.splice(0);
      return taken.ticket!;
    }

    it("relays an agent's message to the person in their language while the chat is live, and records it delivered", async () => {
      const ticket = await liveTicket('cy-GB');
      await h.desk.relayFromAgent(ticket, SAM, '  Try the link again now  ', reply);
      expect(h.messenger.textsTo(`a:${PEOPLE.nurseBolton.username}`)).to.deep.equal([h.content['cy-GB'].t('live.agentSays', { agent: SAM.name, text: 'Try the link again now' })]);
      expect(replies).to.deep.equal([]);
      expect((await h.tickets.service.get(ticket.id))!.transcript.at(-1)).to.include({ from: 'agent', name: SAM.name, text: 'Try the link again now', delivered: true });
    });

    it('relays nothing while the chat is not live, and tells the agent to take over first', async () => {
      await h.use('general', { kind: 'all' });
      const { ref } = await h.desk.submit(h.asking(PEOPLE.nurseBolton), report);
      const ticket = (await h.tickets.service.getByRef(ref))!;
      await h.desk.relayFromAgent(ticket, SAM, 'Hello?', reply);
      expect(replies).to.deep.equal([h.content['en-GB'].t('agents.notLive')]);
      expect(h.messenger.sent).to.deep.equal([]);
    });

    it('tells the agent in the thread when the person could not be reached', async () => {
      const ticket = await liveTicket();
      h.messenger.blocked.add(`a:${PEOPLE.nurseBolton.username}`);
      await h.desk.relayFromAgent(ticket, SAM, 'Are you there?', reply);
      expect(replies).to.deep.equal([h.content['en-GB'].t('agents.notDelivered', { name: 'Aisha Example', reason: h.content['en-GB'].t('agents.blocked') })]);
      expect((await h.tickets.service.get(ticket.id))!.transcript.at(-1)).to.include({ from: 'agent', delivered: false });
    });

    it('"hand back" ends the chat: the person is told and asked to rate it, and the agent hears they are back with the bot', async () => {
      const ticket = await liveTicket();
      await h.desk.relayFromAgent(ticket, SAM, 'hand back', reply);
      expect((await h.tickets.service.get(ticket.id))!.live).to.equal(false);
      expect(h.messenger.textsTo(`a:${PEOPLE.nurseBolton.username}`)).to.deep.equal([h.content['en-GB'].t('live.endedByAgent', { agent: SAM.name, ref: ticket.ref }), '[rating card]']);
      expect(replies).to.deep.equal([h.content['en-GB'].t('agents.handedBack', { name: 'Aisha Example' })]);
    });

    it("puts the person's words in the thread as typed, never live, with links to the screenshots they sent", async () => {
      const ticket = await liveTicket();
      const typed = '[Open ESR](https://evil.example) please';
      await h.desk.relayFromUser(ticket, { text: typed, screenshots: [source('screen.png', [])] }, reply);
      const after = (await h.tickets.service.get(ticket.id))!;
      expect(after.screenshots).to.have.length(1);
      const link = `[screen\\.png](https://helpdesk.example/screenshots/${ticket.id}/${after.screenshots[0]!.id}?`;
      const posted = h.channel.thread.at(-1)!.text;
      expect(posted.startsWith(`**Aisha Example:** ${inertText(typed)}\n\n${link}`)).to.equal(true);
      expect(after.transcript.at(-1)).to.include({ from: 'user', text: typed });
      expect(replies).to.deep.equal([]);
    });
  });
});
