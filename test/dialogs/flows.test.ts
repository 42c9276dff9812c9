// Every self-service flow end to end, as a Teams user would meet it: activities go to the bot's real HTTP
// endpoint (restify, CloudAdapter, dialogs, the ESR service over temp lowdb files) and the replies, card
// updates and emails are read back from the capture connector and DATA_DIR/outbox. Time is a ManualClock.
import { expect } from 'chai';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { loadContent } from '../../content/content.js';
import { loadFaq } from '../../content/faq.js';
import { ManualClock } from '../../core/clock.js';
import type { AuditEvent } from '../../esr/ports.js';
import { LiveUnderstanding } from '../../understanding/live.js';
import { understandingSource } from '../../understanding/source.js';
import type { CapturedCall } from '../support/captureConnector.js';
import { cardOf, replyText, type TeamsUser } from '../support/teamsUser.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';

const PUBLIC_URL = 'https://esr-helpdesk.nhs-trust.example';
const GOOD_PASSWORD = 'copper meadow violin tide';
const CONFIRMATION = 'If the details match an ESR account';

interface Email {
  file: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** One running helpdesk per test, with a clock that moves only when told and card ids that tests can use. */
interface Harness {
  t: TestApp;
  clock: ManualClock;
  /** The activity id the connector gave a message the bot sent (what it later updates by). */
  idOf(call: CapturedCall): string;
}

async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const clock = new ManualClock('2026-01-05T10:00:00Z');
  const t = await startTestApp({ clock, env: { PUBLIC_URL, ...env } });
  const ids = new Map<CapturedCall, string>();
  let next = 0;
  t.connector.respond = (call) => {
    if (call.method !== 'POST' || !call.path.includes('/activities')) return undefined;
    const id = `bot-msg-${++next}`;
    ids.set(call, id);
    return { status: 200, body: { id } };
  };
  return {
    t,
    clock,
    idOf: (call) => {
      const id = ids.get(call);
      if (!id) throw new Error('that call was not a message the bot sent');
      return id;
    },
  };
}

const all = (calls: CapturedCall[]): string => calls.map(replyText).join('\n');
const cards = (calls: CapturedCall[]) => calls.filter((c) => c.method === 'POST' && cardOf(c));

/** The password form among the replies (the last card with a masked input). */
function passwordCard(calls: CapturedCall[]): CapturedCall {
  const found = [...calls].reverse().find((c) => JSON.stringify(cardOf(c) ?? {}).includes('"style":"password"'));
  if (!found) throw new Error(`no password card in: ${all(calls)}`);
  return found;
}

/** Posts a card submit as Teams does: the card's values, in reply to the card's own activity. */
async function submitCard(user: TeamsUser, h: Harness, card: CapturedCall, value: Record<string, unknown>): Promise<CapturedCall[]> {
  const before = h.t.connector.activitiesFor(user.conversationId).length;
  const status = await user.post({ value, replyToId: h.idOf(card) });
  expect(status).to.be.below(300);
  return h.t.connector.activitiesFor(user.conversationId).slice(before);
}

async function sayAll(user: TeamsUser, texts: string[]): Promise<CapturedCall[]> {
  let last: CapturedCall[] = [];
  for (const text of texts) last = await user.say(text);
  return last;
}

/** Lets the background matching finish and the mail queue deliver, then reads DATA_DIR/outbox. */
async function emails(t: TestApp): Promise<Email[]> {
  await t.app.background.idle();
  await t.app.mail.deliverDue();
  const dir = join(t.dataDir, 'outbox');
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.eml')).sort();
  return Promise.all(
    files.map(async (file) => {
      const parsed = await simpleParser(await readFile(join(dir, file)));
      const to = Array.isArray(parsed.to) ? parsed.to.flatMap((a) => a.value) : (parsed.to?.value ?? []);
      return { file, to: to.map((a) => a.address ?? '').join(','), subject: parsed.subject ?? '', text: parsed.text ?? '', html: parsed.html || '' };
    }),
  );
}

const linksIn = (text: string): string[] => text.match(/https?:\/\/[^\s"<>]+/g)?.filter((l) => /\/(reset|unlock)\?token=/.test(l)) ?? [];

async function auditEvents(t: TestApp): Promise<AuditEvent[]> {
  await t.app.background.idle();
  const text = await readFile(join(t.dataDir, 'audit.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditEvent);
}

/** Card inputs, as [id, style, label]. */
function inputsOf(card: Record<string, unknown> | undefined): Array<{ id: unknown; style: unknown; label: unknown; type: unknown }> {
  const out: Array<{ id: unknown; style: unknown; label: unknown; type: unknown }> = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (typeof o.type === 'string' && o.type.startsWith('Input.')) out.push({ id: o.id, style: o.style, label: o.label, type: o.type });
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return out;
}

describe('the self-service flows, end to end through the bot’s HTTP endpoint', function () {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.t.stop({ keepData: false }));

  describe('setting up ESR from home (registering for internet access)', () => {
    it('shows Alex his username 241ADEMO01 and a card with two labelled, masked password boxes', async () => {
      const alex = h.t.user(DEMO_USERS.alex);
      const replies = await alex.say('set up ESR from home');
      const card = cardOf(passwordCard(replies));
      expect(all(replies)).to.contain('241ADEMO01').and.contain('not set up yet');
      const inputs = inputsOf(card);
      expect(inputs).to.have.length(2);
      for (const input of inputs) {
        expect(input).to.include({ type: 'Input.Text', style: 'password' });
        expect(input.label).to.be.a('string').and.not.equal('');
      }
      expect(card?.version).to.equal('1.5');
    });

    const rejected: Array<{ what: string; password: string; confirm: string; reasons: string[] }> = [
      { what: 'too short', password: 'kettle', confirm: 'kettle', reasons: ['It needs at least 12 characters; it has 6.'] },
      { what: 'a commonly used password', password: 'password1234', confirm: 'password1234', reasons: ['It is a commonly used password'] },
      { what: 'not typed the same twice', password: GOOD_PASSWORD, confirm: `${GOOD_PASSWORD}s`, reasons: ["The two passwords don't match."] },
      { what: 'empty', password: '', confirm: '', reasons: ['It needs at least 12 characters; it has 0.'] },
    ];
    for (const { what, password, confirm, reasons } of rejected) {
      it(`explains why a password that is ${what} was refused, clears the used card and gives a new one`, async () => {
        const alex = h.t.user(DEMO_USERS.alex);
        const form = passwordCard(await alex.say('set up ESR from home'));
        const replies = await submitCard(alex, h, form, { action: 'setPassword', newPassword: password, confirmPassword: confirm });
        const update = replies.find((c) => c.method === 'PUT');
        expect(update, 'the used card is replaced').to.not.equal(undefined);
        expect(update!.activityId).to.equal(h.idOf(form));
        expect(replyText(update!)).to.contain('Password form used');
        expect(inputsOf(cardOf(update!))).to.deep.equal([]);
        const again = passwordCard(replies);
        expect(h.idOf(again)).to.not.equal(h.idOf(form));
        for (const reason of reasons) expect(replyText(again)).to.contain(reason);
        expect((await h.t.app.esr.getAccount('241ADEMO01'))?.status).to.equal('not_registered');
      });
    }

    it('approves Alex once a good password is submitted, replacing the card with a read-only one', async () => {
      const alex = h.t.user(DEMO_USERS.alex);
      const form = passwordCard(await alex.say('register for internet access'));
      const replies = await submitCard(alex, h, form, { action: 'setPassword', newPassword: GOOD_PASSWORD, confirmPassword: GOOD_PASSWORD });
      const puts = replies.filter((c) => c.method === 'PUT');
      expect(puts.map((c) => c.activityId)).to.deep.equal([h.idOf(form)]);
      expect(inputsOf(cardOf(puts[0]!))).to.deep.equal([]);
      expect(all(replies)).to.contain('Approved').and.contain('241ADEMO01').and.contain('My ESR app');
      const account = await h.t.app.esr.getAccount('241ADEMO01');
      expect(account).to.include({ status: 'approved', hasPassword: true });
    });

    it('clears an older card that was submitted, as well as the newest one', async () => {
      const alex = h.t.user(DEMO_USERS.alex);
      const older = passwordCard(await alex.say('set up ESR from home'));
      await alex.say('cancel');
      const newer = passwordCard(await alex.say('set up ESR from home'));
      const replies = await submitCard(alex, h, older, { action: 'setPassword', newPassword: GOOD_PASSWORD, confirmPassword: GOOD_PASSWORD });
      const cleared = replies.filter((c) => c.method === 'PUT');
      expect(cleared.map((c) => c.activityId)).to.have.members([h.idOf(older), h.idOf(newer)]);
      for (const call of cleared) expect(inputsOf(cardOf(call))).to.deep.equal([]);
      expect(all(replies)).to.contain('Approved');
    });

    it('tells someone who types into the chat instead of the card to use the secure boxes', async () => {
      const alex = h.t.user(DEMO_USERS.alex);
      await alex.say('set up ESR from home');
      expect(all(await alex.say('where do I put it'))).to.contain('secure boxes on the card');
    });

    it('says "already set up" to a second registration, and offers a reset instead', async () => {
      const alex = h.t.user(DEMO_USERS.alex);
      const form = passwordCard(await alex.say('set up ESR from home'));
      await submitCard(alex, h, form, { action: 'setPassword', newPassword: GOOD_PASSWORD, confirmPassword: GOOD_PASSWORD });
      const replies = await alex.say('set up ESR from home');
      expect(all(replies)).to.contain('already set up').and.contain('Forgotten password');
      expect(inputsOf(cardOf(replies[replies.length - 1]!))).to.deep.equal([]);
    });

    it('shows a stranger with no staff record the way forward: report it or speak to someone', async () => {
      const stranger = h.t.user(DEMO_USERS.stranger);
      const replies = await stranger.say('register for internet access');
      expect(all(replies)).to.contain("couldn't find an ESR record").and.contain('Report a problem').and.contain('Speak to someone');
      expect(replies.some((c) => inputsOf(cardOf(c)).length > 0)).to.equal(false);
    });

    it('lets Bea, who has two usernames, choose the one to set up', async () => {
      const bea = h.t.user(DEMO_USERS.bea);
      const choice = await bea.say('set up ESR from home');
      expect(all(choice)).to.contain('241BSAMPLE01 (substantive, set up)').and.contain('241BSAMPLE02 (bank, not set up yet)');
      // The button sends its value as a messageBack, the text as Teams echoes it.
      const form = passwordCard(await bea.submit({ action: 'choose', choice: '241BSAMPLE02' }, '241BSAMPLE02'));
      expect(replyText(form)).to.contain('241BSAMPLE02');
      await submitCard(bea, h, form, { action: 'setPassword', newPassword: GOOD_PASSWORD, confirmPassword: GOOD_PASSWORD });
      expect((await h.t.app.esr.getAccount('241BSAMPLE02'))?.status).to.equal('approved');
    });

    it('asks Bea again when she types a username that is not one of hers, and accepts hers typed in lower case', async () => {
      const bea = h.t.user(DEMO_USERS.bea);
      await bea.say('set up ESR from home');
      const again = await bea.say('241ADEMO01');
      expect(all(again)).to.contain('Which ESR account?');
      expect(all(await bea.say('241bsample01'))).to.contain('already set up');
    });
  });

  describe('forgotten password', () => {
    it('reads an email in capitals and a date typed "14/03/85", and emails one reset link to the work email on record', async () => {
      await h.t.setUpAtWork(DEMO_USERS.alex, '241ADEMO01');
      const alex = h.t.user(DEMO_USERS.alex);
      expect(all(await alex.say('I forgot my password'))).to.contain('work email address');
      expect(all(await alex.say('ALEX.DEMO@NHS-TRUST.EXAMPLE'))).to.contain('date of birth');
      const readBack = await alex.say('14/03/85');
      expect(all(readBack)).to.contain('14 March 1985').and.contain('ESR username');
      const confirmed = await alex.say('skip');
      expect(all(confirmed)).to.contain(CONFIRMATION).and.contain('10 to 15 minutes');

      const sent = await emails(h.t);
      expect(sent).to.have.length(1);
      expect(sent[0]!.to).to.equal('alex.demo@nhs-trust.example');
      expect(sent[0]!.subject).to.equal('Reset your ESR password');
      expect(sent[0]!.text).to.contain('241ADEMO01');
      const links = [...new Set(linksIn(sent[0]!.text))];
      expect(links).to.have.length(1);
      expect(links[0]).to.match(new RegExp(`^${PUBLIC_URL.replace(/\./g, '\\.')}/reset\\?token=[\\w-]{20,}$`));
    });

    it('answers a date that does not exist clearly, and asks for the date of birth again', async () => {
      const alex = h.t.user(DEMO_USERS.alex);
      await sayAll(alex, ['I forgot my password', 'alex.demo@nhs-trust.example']);
      const wrong = all(await alex.say('31/02/1990'));
      expect(wrong).to.contain("isn't a real date").and.contain('date of birth');
      expect(wrong).to.not.contain('ESR username');
      expect(all(await alex.say('14 March 1985'))).to.contain('ESR username');
    });

    // Wrong answers are explained but never repeated back: one may be a passphrase typed in the wrong box.
    const odd: Array<{ step: string; before: string[]; typed: string; answer: string }> = [
      { step: 'an email address', before: [], typed: 'alex at work', answer: "doesn't look like an email address" },
      { step: 'an email address', before: [], typed: 'blue kettle orchard 42', answer: "doesn't look like an email address" },
      { step: 'a date of birth', before: ['alex.demo@nhs-trust.example'], typed: 'last spring', answer: "couldn't read that as a date" },
      { step: 'a date of birth', before: ['alex.demo@nhs-trust.example'], typed: '14/03/2099', answer: 'That date is in the future' },
      { step: 'a date of birth', before: ['alex.demo@nhs-trust.example'], typed: '31/13/1985', answer: "isn't a real date" },
      { step: 'an ESR username', before: ['alex.demo@nhs-trust.example', '14/03/1985'], typed: 'ALEXD', answer: "doesn't look like an ESR username" },
      { step: 'an ESR username', before: ['alex.demo@nhs-trust.example', '14/03/1985'], typed: 'copper meadow violin tide', answer: "doesn't look like an ESR username" },
    ];
    for (const { step, before, typed, answer } of odd) {
      it(`says why "${typed}" is not ${step}, without repeating it, and waits for another`, async () => {
        const alex = h.t.user(DEMO_USERS.alex);
        await sayAll(alex, ['I forgot my password', ...before]);
        const replies = await alex.say(typed);
        expect(all(replies)).to.contain(answer);
        expect(JSON.stringify(replies.map((c) => c.body))).to.not.contain(typed);
        expect(all(replies)).to.not.contain(CONFIRMATION);
        expect(await emails(h.t)).to.have.length(0);
      });
    }

    it('gives the very same confirmation for an unknown email, and emails nothing for it', async () => {
      const alex = h.t.user(DEMO_USERS.alex);
      const matching = all(await sayAll(alex, ['I forgot my password', 'alex.demo@nhs-trust.example', '14/03/1985', 'skip']));
      const unknown = all(await sayAll(alex, ['I forgot my password', 'nobody.here@nhs-trust.example', '14/03/1985', 'skip']));
      const wrongDate = all(await sayAll(alex, ['I forgot my password', 'alex.demo@nhs-trust.example', '15/03/1985', 'skip']));
      expect(matching).to.contain(CONFIRMATION);
      expect(unknown).to.equal(matching);
      expect(wrongDate).to.equal(matching);
      const sent = await emails(h.t);
      expect(sent.map((m) => m.to)).to.deep.equal(['alex.demo@nhs-trust.example']);
    });

    it('with a username given, emails a link for that username only', async () => {
      const bea = h.t.user(DEMO_USERS.bea);
      await sayAll(bea, ['I forgot my password', 'bea.sample@nhs-trust.example', '02/07/1990', '241bsample01']);
      const sent = await emails(h.t);
      expect(sent).to.have.length(1);
      expect(sent[0]!.text).to.contain('241BSAMPLE01').and.not.contain('241BSAMPLE02');
      expect(new Set(linksIn(sent[0]!.text)).size).to.equal(1);
    });

    it('without a username, names each of the person’s usernames, with a link for each one set up for use from home', async () => {
      await h.t.setUpAtWork(DEMO_USERS.bea, '241BSAMPLE02');
      const bea = h.t.user(DEMO_USERS.bea);
      await sayAll(bea, ['I forgot my password', 'bea.sample@nhs-trust.example', '2 July 1990', "don't know"]);
      const sent = await emails(h.t);
      expect(sent).to.have.length(1);
      expect(sent[0]!.text).to.contain('241BSAMPLE01').and.contain('241BSAMPLE02');
      expect(new Set(linksIn(sent[0]!.text)).size).to.equal(2);
    });

    it('for a username never set up for use from home, answers in the chat exactly as for one that is, and the email says to set it up first, with no link', async () => {
      const alex = h.t.user(DEMO_USERS.alex);
      const notSetUp = all(await sayAll(alex, ['I forgot my password', 'alex.demo@nhs-trust.example', '14/03/1985', '241ADEMO01']));
      const bea = h.t.user(DEMO_USERS.bea);
      const setUp = all(await sayAll(bea, ['I forgot my password', 'bea.sample@nhs-trust.example', '02/07/1990', '241BSAMPLE01']));
      expect(notSetUp).to.contain(CONFIRMATION);
      expect(notSetUp, 'the chat does not tell them apart').to.equal(setUp);
      const toAlex = (await emails(h.t)).filter((m) => m.to === 'alex.demo@nhs-trust.example');
      expect(toAlex).to.have.length(1);
      expect(toAlex[0]!.text).to.contain('241ADEMO01 has not been set up for use from home yet').and.contain('Set it up first').and.contain('Set up ESR from home');
      expect(linksIn(toAlex[0]!.text + toAlex[0]!.html)).to.deep.equal([]);
      expect((await h.t.app.esr.getAccount('241ADEMO01'))?.status).to.not.equal('approved');
    });

    it('on a 6th request within the hour shows the same confirmation but sends nothing, and the audit log says so', async () => {
      await h.t.stop({ keepData: false });
      h = await startHarness({ ACCOUNT_HELP_PER_HOUR: '5' });
      const alex = h.t.user(DEMO_USERS.alex);
      const answers: string[] = [];
      for (let i = 0; i < 6; i++) {
        answers.push(all(await sayAll(alex, ['I forgot my password', 'alex.demo@nhs-trust.example', '14/03/1985', 'skip'])));
        await h.t.app.background.idle();
        h.clock.advance(60_000);
      }
      expect(new Set(answers).size, 'every answer is the same').to.equal(1);
      expect(answers[5]).to.contain(CONFIRMATION);
      expect(await emails(h.t)).to.have.length(5);
      const suppressed = (await auditEvents(h.t)).filter((e) => e.action === 'account_help.suppressed');
      expect(suppressed).to.have.length(1);
      expect(suppressed[0]).to.include({ outcome: 'suppressed', channel: 'teams' });
    });
  });

  describe('forgotten username', () => {
    it('emails Bea both her usernames, with no reset link', async () => {
      const bea = h.t.user(DEMO_USERS.bea);
      const replies = await sayAll(bea, ['forgotten username', 'Bea.Sample@nhs-trust.example', '02-07-1990', 'skip']);
      expect(all(replies)).to.contain('an email with your username is on its way');
      const sent = await emails(h.t);
      expect(sent).to.have.length(1);
      expect(sent[0]).to.include({ to: 'bea.sample@nhs-trust.example', subject: 'Your ESR username' });
      expect(sent[0]!.text).to.contain('241BSAMPLE01').and.contain('241BSAMPLE02');
      expect(sent[0]!.text + sent[0]!.html).to.not.match(/token=|\/reset|\/unlock/);
    });
  });

  describe('unlocking an account', () => {
    it('emails Chris an unlock link whose page unlocks him and offers a new password', async () => {
      expect((await h.t.app.esr.getAccount('241CTEST01'))?.locked).to.equal(true);
      const chris = h.t.user(DEMO_USERS.chris);
      const replies = await sayAll(chris, ['my account is locked', 'chris.test@nhs-trust.example', '30/11/1978', '241CTEST01']);
      expect(all(replies)).to.contain('an email with a link to unlock it is on its way');
      const sent = await emails(h.t);
      expect(sent).to.have.length(1);
      expect(sent[0]!.to).to.equal('chris.test@nhs-trust.example');
      const link = new URL([...new Set(linksIn(sent[0]!.text))][0]!);
      expect(`${link.origin}${link.pathname}`).to.equal(`${PUBLIC_URL}/unlock`);

      // Opening the link only shows a button: a mail scanner following it unlocks nothing.
      const shown = await fetch(`${h.t.url}/unlock${link.search}`);
      const page = await shown.text();
      expect(shown.status).to.equal(200);
      expect(page).to.contain('<form method="post" action="/unlock">').and.contain('Unlock my account');
      expect((await h.t.app.esr.getAccount('241CTEST01'))?.locked).to.equal(true);

      const done = await fetch(`${h.t.url}/unlock`, { method: 'POST', body: new URLSearchParams({ token: link.searchParams.get('token')! }) });
      const donePage = await done.text();
      expect(done.status).to.equal(200);
      expect(donePage).to.contain('Account unlocked on the training copy').and.contain('241CTEST01');
      expect((await h.t.app.esr.getAccount('241CTEST01'))?.locked).to.equal(false);

      const newPassword = /href="(\/reset\?token=[^"]+)"/.exec(donePage)?.[1];
      expect(newPassword, 'a link to choose a new password').to.be.a('string');
      const reset = await fetch(`${h.t.url}${newPassword!.replace(/&amp;/g, '&')}`);
      expect(reset.status).to.equal(200);
      expect(await reset.text()).to.contain('Update your ESR password');
    });
  });

  describe('the My ESR app', () => {
    const phones: Array<{ says: string; store: string; notStore: string }> = [
      { says: 'iphone', store: 'App Store', notStore: 'Google Play' },
      { says: 'iPad', store: 'App Store', notStore: 'Google Play' },
      { says: 'android', store: 'Google Play', notStore: 'App Store' },
      { says: 'Samsung', store: 'Google Play', notStore: 'App Store' },
    ];
    for (const { says, store, notStore } of phones) {
      it(`sends someone with "${says}" to the ${store}, with the app's name and their username`, async () => {
        const bea = h.t.user(DEMO_USERS.bea);
        expect(all(await bea.say('My ESR app'))).to.contain('Which kind of phone');
        const steps = all(await bea.say(says));
        expect(steps).to.contain(store).and.contain('MyESR').and.contain('241BSAMPLE01').and.not.contain(notStore);
      });
    }

    it('asks again when the phone is neither an iPhone nor an Android', async () => {
      const bea = h.t.user(DEMO_USERS.bea);
      await bea.say('My ESR app');
      expect(all(await bea.say('a blackberry'))).to.contain('Please choose iPhone or Android');
    });

    it('takes Alex, who has no password yet, through registration first, then shows the steps', async () => {
      const alex = h.t.user(DEMO_USERS.alex);
      const replies = await alex.say('how do I get the app on my iphone');
      expect(all(replies)).to.contain("haven't set a password");
      const form = passwordCard(replies);
      const after = await submitCard(alex, h, form, { action: 'setPassword', newPassword: GOOD_PASSWORD, confirmPassword: GOOD_PASSWORD });
      expect(all(after)).to.contain('Approved').and.contain('App Store').and.contain('MyESR').and.contain('241ADEMO01');
      expect((await h.t.app.esr.getAccount('241ADEMO01'))?.status).to.equal('approved');
    });
  });

  describe('help, cancel, menu and "speak to someone" in the middle of a flow', () => {
    const atDateOfBirth = async (): Promise<TeamsUser> => {
      const alex = h.t.user(DEMO_USERS.alex);
      await sayAll(alex, ['I forgot my password', 'alex.demo@nhs-trust.example']);
      return alex;
    };

    it('"help" while asked for the date of birth explains that step and asks again', async () => {
      const alex = await atDateOfBirth();
      const replies = await alex.say('help');
      expect(all(replies)).to.contain('Type your date of birth with the day first').and.contain('resetting your password');
      expect(replyText(replies[replies.length - 1]!)).to.contain('What is your **date of birth**?');
      expect(all(await alex.say('14/03/1985'))).to.contain('ESR username');
    });

    it('"cancel" while asked for the date of birth stops the flow and forgets it', async () => {
      const alex = await atDateOfBirth();
      expect(all(await alex.say('cancel'))).to.contain("I've stopped resetting your password");
      expect(all(await alex.say('14/03/1985'))).to.not.contain('ESR username');
    });

    it('"menu" while asked for the date of birth shows the menu and ends the flow', async () => {
      const alex = await atDateOfBirth();
      expect(all(await alex.say('menu'))).to.contain('What do you need help with?');
      expect(all(await alex.say('cancel'))).to.contain("There's nothing to cancel");
    });

    it('a menu button clicked in the middle of a flow starts that flow instead', async () => {
      const alex = await atDateOfBirth();
      const replies = await alex.submit({ action: 'flow', flow: 'unlock' }, 'Unlock my account');
      expect(all(replies)).to.contain('a link that unlocks your ESR account').and.contain('work email address');
      await sayAll(alex, ['alex.demo@nhs-trust.example', '14/03/1985', 'skip']);
      const sent = await emails(h.t);
      expect(sent.map((m) => m.subject)).to.deep.equal(['Unlock your ESR account']);
    });

    it('"speak to someone" in the middle of a reset opens a ticket for a person, noting where they were', async () => {
      const alex = await atDateOfBirth();
      const replies = all(await alex.say('speak to someone'));
      expect(replies).to.contain("I'll ask someone from the team").and.match(/ESR-\d{5}/);
      const tickets = await h.t.app.tickets.list({});
      expect(tickets).to.have.length(1);
      expect(tickets[0]).to.include({ wantsPerson: true, category: 'login' });
      expect(tickets[0]!.context.flow).to.equal('forgotPassword');
    });
  });

  describe('common questions', () => {
    it('answers a question asked in the chat with its answer card and the next steps', async () => {
      const fran = h.t.user({ userId: '29:fran', aadObjectId: '00000000-0000-4000-8000-000000000025', name: 'Fran Mock' });
      const replies = await fran.say('where can I see my payslip?');
      const answer = cards(replies).pop()!;
      const text = replyText(answer);
      expect(text).to.contain('Payslips online').and.contain('1 September 2020').and.contain('iFM staff or bank assignments');
      expect(cardOf(answer)?.version).to.equal('1.5');
      expect(text).to.contain('Set up ESR from home').and.contain('My ESR app');
    });
  });
});

describe('common questions asked in staff’s own words', () => {
  let router: LiveUnderstanding;
  before(async () => {
    const content = await loadContent({ locale: 'en-GB' });
    router = new LiveUnderstanding(understandingSource(content, await loadFaq('en-GB')));
  });

  const phrasings: Array<[question: string, answer: string]> = [
    ['where is my payslip', 'payslips'],
    ['how do I see my payslips online', 'payslips'],
    ["I can't find my pay slip", 'payslips'],
    ['can I get my P60 from ESR', 'payslips'],
    ['where can I view my wage slip', 'payslips'],
    ['do I still get a paper payslip', 'payslips'],
    ['where do I do my mandatory training', 'training'],
    ['how do I access eLearning', 'training'],
    ['is e-learning still on Moodle', 'training'],
    ['statutory training is due', 'training'],
    ['how do I start a course', 'training'],
    ['how do I stop ESR notification emails', 'notifications'],
    ['I want to opt out of the emails', 'notifications'],
    ['unsubscribe me', 'notifications'],
    ['I got an Egress email', 'egress'],
    ['how do I read an encrypted email', 'egress'],
    ['which browser should I use', 'browsers'],
    ['does ESR work in Chrome', 'browsers'],
    ['ESR is not working in internet explorer', 'browsers'],
    ['what are your office hours', 'office-hours'],
    ['what are the opening times', 'office-hours'],
    ['when is the team available', 'office-hours'],
    ['are you open at the weekend', 'office-hours'],
    ['who do I contact about ESR', 'contact'],
    ['what is the workforce email address', 'contact'],
    ["I'm a lead employer doctor", 'contact'],
    ['I am a trainee on rotation', 'contact'],
    ['what is ESR', 'what-is-esr'],
    ['what is employee self service', 'what-is-esr'],
    ['is my ESR password the same as my computer login', 'username-vs-computer'],
    ['can I use my smartcard', 'username-vs-computer'],
    ['how do I change my address', 'personal-details'],
    ['update my bank details', 'personal-details'],
    ['change my emergency contact', 'personal-details'],
    ['I am a new starter', 'new-starter'],
    ["I've just started at the trust", 'new-starter'],
  ];
  for (const [question, answer] of phrasings) {
    // Answered, or offered in a "did you mean" when another answer is as close (one click either way).
    it(`answers "${question}" with "${answer}", or offers it among close answers`, () => {
      const u = router.understand(question);
      const offered = u.kind === 'answer' ? [u.intent] : u.kind === 'ask' ? u.candidates : [];
      expect(offered, JSON.stringify(u)).to.include(`faq:${answer}`);
    });
  }
});
