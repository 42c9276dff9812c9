// The ESR service over the real embedded stores, real argon2id and a ManualClock (see test/support/esrHarness.ts).
import { expect } from 'chai';
import { DAY, HOUR, MINUTE } from '../../core/clock.js';
import { EsrError, type EsrErrorCode } from '../../esr/errors.js';
import type { AccountHelpRequest } from '../../esr/esrService.js';
import type { PolicyFailure } from '../../esr/passwordPolicy.js';
import type { AuditEvent } from '../../esr/ports.js';
import { hashToken } from '../../esr/tokens.js';
import { AGENT, createEsrHarness, identityOf, inTeams, STAFF, WEB_VISITOR, type EsrHarness } from '../support/esrHarness.js';

// Passphrases that every rule accepts for every test person.
const PW = {
  a: 'quiet harbour lantern 7',
  b: 'copper meadow violin 3',
  c: 'thistle ferry pebble 9',
  d: 'juniper saddle marble 5',
  e: 'orchard tide biscuit 8',
};

const { aisha, morgan01, morgan02, tunde } = STAFF;

/** The EsrError a promise rejects with; fails the test if it resolves or rejects with anything else. */
async function rejectionOf(promise: Promise<unknown>): Promise<EsrError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof EsrError) return error;
    throw error;
  }
  throw new Error('expected an EsrError, but the call succeeded');
}

function thrownBy(fn: () => unknown): EsrError {
  try {
    fn();
  } catch (error) {
    if (error instanceof EsrError) return error;
    throw error;
  }
  throw new Error('expected an EsrError, but nothing was thrown');
}

async function auditEvents(h: EsrHarness): Promise<AuditEvent[]> {
  return (await h.readDataFile('audit.jsonl'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditEvent);
}

function helpRequest(fields: Partial<AccountHelpRequest> = {}): AccountHelpRequest {
  return { ...WEB_VISITOR, kind: 'password', email: aisha.workEmail, dateOfBirth: aisha.dateOfBirth, ...fields };
}

function withHarness(): () => EsrHarness {
  let h: EsrHarness | undefined;
  beforeEach(async () => {
    h = await createEsrHarness();
  });
  afterEach(async () => {
    await h?.cleanup();
  });
  return () => h!;
}

describe('EsrService', () => {
  describe('registering for internet access', () => {
    const harness = withHarness();

    it('registers a username its Teams user owns and approves internet access', async () => {
      const h = harness();
      const account = await h.register(aisha, PW.a);
      expect(account).to.deep.include({ status: 'approved', hasPassword: true, locked: false, failedAttempts: 0, passwordChangedAt: '2026-01-05T10:00:00.000Z' });
      expect((await h.service.authenticate({ ...inTeams(aisha), username: aisha.username, password: PW.a })).record.username).to.equal(aisha.username);
    });

    it('finds the owner by work email when Teams gives no Entra id, and takes the username in any case with spaces', async () => {
      const h = harness();
      const account = await h.service.registerInternetAccess({
        ...inTeams(tunde),
        identity: { email: 'Tunde.Okafor@NHS-Trust.example' },
        username: ' 241tokafor01 ',
        password: PW.a,
        confirmPassword: PW.a,
      });
      expect(account.record.username).to.equal(tunde.username);
      expect(account.status).to.equal('approved');
    });

    it("refuses a username that belongs to someone else with not_found, and stores nothing for it", async () => {
      const h = harness();
      const error = await rejectionOf(
        h.service.registerInternetAccess({ ...inTeams(aisha), identity: identityOf(aisha), username: morgan01.username, password: PW.a, confirmPassword: PW.a }),
      );
      expect(error.code).to.equal('not_found');
      expect(await h.accounts.get(morgan01.username)).to.equal(undefined);
    });

    it('refuses a Teams user who is not in the directory with not_found', async () => {
      const h = harness();
      const error = await rejectionOf(
        h.service.registerInternetAccess({ ...WEB_VISITOR, identity: { entraObjectId: '99999999-9999-4999-8999-999999999999', email: 'someone@elsewhere.example' }, username: aisha.username, password: PW.a, confirmPassword: PW.a }),
      );
      expect(error.code).to.equal('not_found');
    });

    it('refuses a second registration of the same username with already_registered, keeping the first password', async () => {
      const h = harness();
      await h.register(aisha, PW.a);
      expect((await rejectionOf(h.register(aisha, PW.b))).code).to.equal('already_registered');
      await h.service.authenticate({ ...inTeams(aisha), username: aisha.username, password: PW.a });
    });

    it('lets exactly one of two simultaneous registrations through (a double-clicked card)', async () => {
      const h = harness();
      const results = await Promise.allSettled([h.register(aisha, PW.a), h.register(aisha, PW.b)]);
      expect(results.map((r) => r.status).sort()).to.deep.equal(['fulfilled', 'rejected']);
      const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
      expect((rejected.reason as EsrError).code).to.equal('already_registered');
      const registered = (await auditEvents(h)).filter((e) => e.action === 'internet_access.registered');
      expect(registered).to.have.length(1);
    });

    it('registers one username of a person who has two, leaving the other unregistered', async () => {
      const h = harness();
      await h.register(morgan02, PW.a);
      const mine = await h.service.findByTeamsIdentity(identityOf(morgan01));
      expect(mine.map((a) => [a.record.username, a.status])).to.deep.equal([
        [morgan01.username, 'not_registered'],
        [morgan02.username, 'approved'],
      ]);
    });

    it('refuses two different passwords with password_mismatch and stores nothing', async () => {
      const h = harness();
      const error = await rejectionOf(
        h.service.registerInternetAccess({ ...inTeams(aisha), identity: identityOf(aisha), username: aisha.username, password: PW.a, confirmPassword: PW.b }),
      );
      expect(error.code).to.equal('password_mismatch');
      expect(await h.accounts.get(aisha.username)).to.equal(undefined);
    });

    it('refuses a password over 1,024 characters as invalid_input naming the field', async () => {
      const h = harness();
      const long = 'x'.repeat(1025);
      const error = await rejectionOf(h.register(aisha, long));
      expect(error.code).to.equal('invalid_input');
      expect(error.issues.map((i) => i.field)).to.include('password');
    });

    const policyCases: Array<[password: string, failures: PolicyFailure[], why: string]> = [
      ['blue kettle', [{ rule: 'too_short', min: 12, length: 11 }], 'too short'],
      ['Password2024!', [{ rule: 'common' }], 'commonly used'],
      ['abcdefghijkl', [{ rule: 'predictable' }], 'predictable'],
      ['aisha on the ward', [{ rule: 'personal', word: 'first_name' }], 'the first name'],
      ['241ashah01 is me', [{ rule: 'personal', word: 'username' }], 'the username'],
    ];
    for (const [password, failures, why] of policyCases) {
      it(`refuses a password that is ${why} with password_policy and the typed failures, auditing the rules but not the password`, async () => {
        const h = harness();
        const error = await rejectionOf(h.register(aisha, password));
        expect(error.code).to.equal('password_policy');
        expect(error.failures).to.deep.equal(failures);
        expect(await h.accounts.get(aisha.username)).to.equal(undefined);
        const [event] = await auditEvents(h);
        expect(event).to.deep.include({ action: 'password.rejected', outcome: 'failure', username: aisha.username, detail: { rules: failures.map((f) => f.rule).join(',') } });
        expect(await h.readDataFile('audit.jsonl')).not.to.contain(password);
      });
    }
  });

  describe('forgotten password, username or lock (account help)', () => {
    const harness = withHarness();

    it('returns nothing and throws nothing, matched or not, and does the work only in the background', async () => {
      const h = harness();
      const requests: Array<[AccountHelpRequest, string]> = [
        [helpRequest(), 'a match'],
        [helpRequest({ email: 'nobody@nhs-trust.example' }), 'an unknown email'],
        [helpRequest({ dateOfBirth: '1985-03-15' }), 'the wrong date of birth'],
        [helpRequest({ username: morgan01.username }), "someone else's username"],
      ];
      for (const [request, what] of requests) {
        expect(h.service.requestAccountHelp(request), what).to.equal(undefined);
      }
      expect(h.notifier.sent, 'nothing is sent while the caller waits').to.deep.equal([]);
      expect(h.background.size).to.equal(4);
      await h.background.idle();
      expect(h.notifier.sent).to.have.length(1);
      expect(h.backgroundErrors).to.deep.equal([]);
    });

    it('sends nothing for an unknown email, a wrong date of birth or a username that is not theirs, and audits the miss without the email or date typed', async () => {
      const h = harness();
      h.service.requestAccountHelp(helpRequest({ email: 'nobody@nhs-trust.example' }));
      h.service.requestAccountHelp(helpRequest({ dateOfBirth: '1985-03-15' }));
      h.service.requestAccountHelp(helpRequest({ username: ' 241mpricejones01' }));
      await h.background.idle();
      expect(h.notifier.sent).to.deep.equal([]);
      const events = await auditEvents(h);
      expect(events.map((e) => [e.action, e.outcome, e.detail])).to.deep.equal(Array(3).fill(['account_help.requested', 'failure', { kind: 'password', matched: false }]));
      // A username that was asked about is recorded in its checked, upper-case form, so a probe shows up in its history.
      expect(events.map((e) => e.username)).to.deep.equal([undefined, undefined, morgan01.username]);
      const text = await h.readDataFile('audit.jsonl');
      for (const typed of ['nobody@nhs-trust.example', aisha.workEmail, '1985-03-15', aisha.dateOfBirth]) expect(text).not.to.contain(typed);
    });

    it('sends to the work email on record, not to the address as it was typed', async () => {
      const h = harness();
      h.service.requestAccountHelp(helpRequest({ email: '  AISHA.Shah@NHS-Trust.example ' }));
      await h.background.idle();
      expect(h.notifier.accountHelp.map((m) => m.to)).to.deep.equal([aisha.workEmail]);
      expect(h.notifier.accountHelp[0]!.firstName).to.equal('Aisha');
    });

    it('names only the username given, with its own reset link, when a username is given', async () => {
      const h = harness();
      await h.setUpAtWork(morgan01, morgan02);
      h.service.requestAccountHelp(helpRequest({ email: morgan01.workEmail, dateOfBirth: morgan01.dateOfBirth, username: '241mpricejones02' }));
      await h.background.idle();
      const [message] = h.notifier.accountHelp;
      expect(message!.accounts.map((a) => a.username)).to.deep.equal([morgan02.username]);
      expect(message!.accounts[0]!.token).to.be.a('string');
    });

    it('names every username of the person, each with its own reset link valid for 4 hours, when no username is given', async () => {
      const h = harness();
      await h.setUpAtWork(morgan01, morgan02);
      h.service.requestAccountHelp(helpRequest({ email: morgan01.workEmail, dateOfBirth: morgan01.dateOfBirth }));
      await h.background.idle();
      expect(h.notifier.accountHelp).to.have.length(1);
      const [message] = h.notifier.accountHelp;
      expect(message).to.deep.include({ kind: 'password', to: morgan01.workEmail, firstName: 'Morgan', expiresAt: new Date('2026-01-05T14:00:00Z') });
      expect(message!.accounts.map((a) => a.username)).to.deep.equal([morgan01.username, morgan02.username]);
      const [first, second] = message!.accounts.map((a) => a.token);
      expect(first).to.not.equal(second);
      expect(await h.service.inspectToken(first!)).to.deep.equal({ ok: true, purpose: 'reset', expiresAt: '2026-01-05T14:00:00.000Z' });
      expect(await h.service.inspectToken(second!)).to.deep.equal({ ok: true, purpose: 'reset', expiresAt: '2026-01-05T14:00:00.000Z' });
      const sent = (await auditEvents(h)).filter((e) => e.action === 'account_help.sent').map((e) => e.username);
      expect(sent).to.deep.equal([morgan01.username, morgan02.username]);
    });

    for (const kind of ['password', 'unlock'] as const) {
      it(`sends no ${kind === 'password' ? 'reset' : 'unlock'} link for a username never set up for use from home, and the email says to set it up first`, async () => {
        const h = harness();
        await h.setUpAtWork(morgan01);
        h.service.requestAccountHelp(helpRequest({ kind, email: morgan01.workEmail, dateOfBirth: morgan01.dateOfBirth }));
        await h.background.idle();
        const [message] = h.notifier.accountHelp;
        expect(message!.accounts.map((a) => [a.username, Boolean(a.token), a.setUpFirst ?? false])).to.deep.equal([
          [morgan01.username, true, false],
          [morgan02.username, false, true],
        ]);
        expect((await h.accounts.get(morgan02.username))?.status ?? 'not_registered', 'nothing is approved by the request').to.not.equal('approved');
      });
    }

    it('with links turned off (guided and automation modes), sends no reset or unlock email and issues no token, and audits why', async () => {
      const h = await createEsrHarness({ settings: { issuesLinks: false } });
      try {
        await h.setUpAtWork(aisha);
        h.service.requestAccountHelp(helpRequest());
        h.service.requestAccountHelp(helpRequest({ kind: 'unlock', actor: { kind: 'staff', id: 'another-asker' } }));
        await h.background.idle();
        expect(h.notifier.accountHelp).to.deep.equal([]);
        expect(JSON.parse(await h.readDataFile('tokens.json'))).to.deep.equal({ version: 1, tokens: [] });
        const held = (await auditEvents(h)).filter((e) => e.action === 'account_help.suppressed').map((e) => e.detail);
        expect(held).to.deep.equal([
          { kind: 'password', reason: 'no_links_in_this_mode' },
          { kind: 'unlock', reason: 'no_links_in_this_mode' },
        ]);
      } finally {
        await h.cleanup();
      }
    });

    it('answers a forgotten-username request with the usernames and no link at all', async () => {
      const h = harness();
      h.service.requestAccountHelp(helpRequest({ kind: 'username', email: morgan01.workEmail, dateOfBirth: morgan01.dateOfBirth }));
      await h.background.idle();
      const [message] = h.notifier.accountHelp;
      expect(message).to.deep.equal({ type: 'account_help', kind: 'username', to: morgan01.workEmail, firstName: 'Morgan', accounts: [{ username: morgan01.username }, { username: morgan02.username }] });
      expect(JSON.parse(await h.readDataFile('tokens.json'))).to.deep.equal({ version: 1, tokens: [] });
    });

    const invalid: Array<[fields: Partial<AccountHelpRequest>, problemFields: string[], why: string]> = [
      [{ email: 'not-an-email' }, ['email'], 'an email address without an @'],
      [{ dateOfBirth: '14/03/1985' }, ['dateOfBirth'], 'a date of birth not yet turned into yyyy-mm-dd'],
      [{ dateOfBirth: '1985-02-31' }, ['dateOfBirth'], 'a date of birth that does not exist'],
      [{ username: 'jsmith' }, ['username'], 'a username of the wrong shape'],
      [{ email: '', dateOfBirth: '' }, ['email', 'dateOfBirth'], 'an empty email and date of birth'],
    ];
    for (const [fields, problemFields, why] of invalid) {
      it(`refuses ${why} at once with invalid_input naming ${problemFields.join(' and ')}, and starts no work`, () => {
        const h = harness();
        const error = thrownBy(() => h.service.requestAccountHelp(helpRequest(fields)));
        expect(error.code).to.equal('invalid_input');
        expect(error.issues.map((i) => i.field)).to.deep.equal(problemFields);
        expect(h.background.size).to.equal(0);
      });
    }
  });

  describe('rate limits on account help', () => {
    const harness = withHarness();
    const asker = (n: number) => ({ actor: { kind: 'anonymous' as const, id: `client-${n}` }, channel: 'web' as const });
    const suppressed = async (h: EsrHarness) => (await auditEvents(h)).filter((e) => e.action === 'account_help.suppressed');

    it('holds back a 6th request about the same person within an hour, answering the same, and sends again an hour later', async () => {
      const h = harness();
      for (let n = 1; n <= 6; n++) expect(h.service.requestAccountHelp(helpRequest(asker(n)))).to.equal(undefined);
      await h.background.idle();
      expect(h.notifier.accountHelp).to.have.length(5);
      expect((await suppressed(h)).map((e) => [e.username, e.outcome, e.detail])).to.deep.equal([
        [aisha.username, 'suppressed', { kind: 'password', reason: 'record_limit' }],
      ]);
      h.clock.advance(HOUR);
      h.service.requestAccountHelp(helpRequest(asker(7)));
      await h.background.idle();
      expect(h.notifier.accountHelp).to.have.length(6);
    });

    it('holds back a 6th request from the same asker within an hour, whoever it is about, and whether or not it matches', async () => {
      const h = harness();
      const me = asker(1);
      h.service.requestAccountHelp(helpRequest({ ...me, email: 'nobody@nhs-trust.example' }));
      h.service.requestAccountHelp(helpRequest({ ...me, email: 'someone@nhs-trust.example' }));
      for (const record of [aisha, morgan01, tunde]) h.service.requestAccountHelp(helpRequest({ ...me, email: record.workEmail, dateOfBirth: record.dateOfBirth }));
      await h.background.idle();
      expect(h.notifier.accountHelp).to.have.length(3);
      h.service.requestAccountHelp(helpRequest({ ...me, kind: 'username' }));
      await h.background.idle();
      expect(h.notifier.accountHelp).to.have.length(3);
      expect((await suppressed(h)).map((e) => [e.actor, e.detail])).to.deep.equal([[me.actor, { kind: 'username', reason: 'actor_limit' }]]);
    });

    it('keeps its counts in limits.json, keyed by asker and username, never by email or date of birth', async () => {
      const h = harness();
      h.service.requestAccountHelp(helpRequest(asker(1)));
      await h.background.idle();
      const file = JSON.parse(await h.readDataFile('limits.json')) as { hits: Record<string, number[]> };
      expect(file.hits).to.deep.equal({
        'account-help:actor:client-1': [Date.parse('2026-01-05T10:00:00Z')],
        [`account-help:record:${aisha.username}`]: [Date.parse('2026-01-05T10:00:00Z')],
      });
    });
  });

  describe('reset links', () => {
    const harness = withHarness();
    const reset = (h: EsrHarness, token: string, password = PW.b, username: string = aisha.username) =>
      h.service.resetPasswordWithToken({ ...WEB_VISITOR, token, username, password, confirmPassword: password });

    it('still works 3 hours 59 minutes after it was sent', async () => {
      const h = harness();
      await h.register(aisha, PW.a);
      const token = await h.emailedToken(aisha);
      h.clock.advance(3 * HOUR + 59 * MINUTE);
      const account = await reset(h, token);
      expect(account.passwordChangedAt).to.equal('2026-01-05T13:59:00.000Z');
      await h.service.authenticate({ ...WEB_VISITOR, username: aisha.username, password: PW.b });
    });

    it('has expired at 4 hours: using it gives token_expired, and inspecting it says so', async () => {
      const h = harness();
      const token = await h.emailedToken(aisha);
      h.clock.advance(4 * HOUR);
      expect(await h.service.inspectToken(token)).to.deep.equal({ ok: false, code: 'token_expired' });
      expect((await rejectionOf(reset(h, token))).code).to.equal('token_expired');
    });

    it('works once: a second use gives token_used', async () => {
      const h = harness();
      const token = await h.emailedToken(aisha);
      await reset(h, token, PW.b);
      expect((await rejectionOf(reset(h, token, PW.c))).code).to.equal('token_used');
      expect(await h.service.inspectToken(token)).to.deep.equal({ ok: false, code: 'token_used' });
    });

    it('is voided by a newer link for the same username: the older one gives token_invalid, the newer one works', async () => {
      const h = harness();
      const older = await h.emailedToken(aisha);
      h.clock.advance(MINUTE);
      const newer = await h.emailedToken(aisha);
      expect(newer).to.not.equal(older);
      expect((await rejectionOf(reset(h, older))).code).to.equal('token_invalid');
      await reset(h, newer);
    });

    it("leaves the links of a person's other username alone", async () => {
      const h = harness();
      const first = await h.emailedToken(morgan01);
      await h.emailedToken(morgan02);
      expect(await h.service.inspectToken(first)).to.include({ ok: true });
    });

    it('belongs to one username: another username gives token_username_mismatch, and the link still works for its own', async () => {
      const h = harness();
      const token = await h.emailedToken(morgan01);
      expect((await rejectionOf(reset(h, token, PW.b, morgan02.username))).code).to.equal('token_username_mismatch');
      expect((await rejectionOf(reset(h, token, PW.b, 'nonsense'))).code).to.equal('token_username_mismatch');
      const account = await reset(h, token, PW.b, ' 241mpricejones01 ');
      expect(account.record.username).to.equal(morgan01.username);
    });

    it('is not used up by a rejected password, a mismatched confirmation or a bad username', async () => {
      const h = harness();
      const token = await h.emailedToken(aisha);
      expect((await rejectionOf(reset(h, token, 'Password2024!'))).code).to.equal('password_policy');
      const mismatch = h.service.resetPasswordWithToken({ ...WEB_VISITOR, token, username: aisha.username, password: PW.b, confirmPassword: PW.c });
      expect((await rejectionOf(mismatch)).code).to.equal('password_mismatch');
      expect(await h.service.inspectToken(token)).to.include({ ok: true });
      await reset(h, token, PW.b);
    });

    it('refuses junk, an unknown token and an unlock link on the reset page with token_invalid', async () => {
      const h = harness();
      const unlockToken = await h.emailedToken(aisha, 'unlock');
      for (const token of ['', 'not-a-token', 'A'.repeat(43), unlockToken]) {
        expect((await rejectionOf(reset(h, token))).code, token).to.equal('token_invalid');
      }
      expect(await h.service.inspectToken('A'.repeat(43))).to.deep.equal({ ok: false, code: 'token_invalid' });
    });

    it('is kept only as its SHA-256 hash: tokens.json never holds the token itself', async () => {
      const h = harness();
      const token = await h.emailedToken(aisha);
      const file = await h.readDataFile('tokens.json');
      expect(file).not.to.contain(token);
      expect(file).to.contain(hashToken(token));
    });

    it('emails the owner at their work address once the password has changed', async () => {
      const h = harness();
      const token = await h.emailedToken(aisha);
      h.clock.advance(10 * MINUTE);
      await reset(h, token);
      await h.background.idle();
      const changed = h.notifier.sent.filter((m) => m.type === 'password_changed');
      expect(changed).to.deep.equal([
        { type: 'password_changed', to: aisha.workEmail, firstName: 'Aisha', username: aisha.username, at: new Date('2026-01-05T10:10:00Z'), channel: 'web' },
      ]);
    });
  });

  describe('password history', () => {
    // One harness for the whole block: registered with a, then reset to b, c and d a day apart (so d is
    // current). The last test changes the history, so it stays last.
    let h: EsrHarness;
    before(async () => {
      h = await createEsrHarness();
      await h.register(aisha, PW.a);
      for (const password of [PW.b, PW.c, PW.d]) {
        h.clock.advance(DAY);
        await h.resetPassword(aisha, password);
      }
    });
    after(() => h.cleanup());

    for (const [name, password] of [['current', PW.d], ['previous', PW.c], ['2nd previous', PW.b], ['3rd previous (the oldest of the 4)', PW.a]] as const) {
      it(`refuses the ${name} password as one of the previous 4`, async () => {
        expect(await h.service.checkNewPassword(aisha.username, password)).to.deep.equal([{ rule: 'reused', count: 4 }]);
      });
    }

    it('refuses a reused password on the reset page with password_policy, leaving the link usable', async () => {
      const token = await h.emailedToken(aisha);
      const error = await rejectionOf(h.service.resetPasswordWithToken({ ...WEB_VISITOR, token, username: aisha.username, password: PW.a, confirmPassword: PW.a }));
      expect(error.code).to.equal('password_policy');
      expect(error.failures).to.deep.equal([{ rule: 'reused', count: 4 }]);
      expect(await h.service.inspectToken(token)).to.include({ ok: true });
    });

    it('keeps only the current hash and the 3 before it', async () => {
      const state = await h.accounts.get(aisha.username);
      expect(state!.previousHashes).to.have.length(3);
    });

    it('allows the 5th-oldest password again once a newer one has pushed it out', async () => {
      h.clock.advance(DAY);
      await h.resetPassword(aisha, PW.e);
      expect(await h.service.checkNewPassword(aisha.username, PW.a)).to.deep.equal([]);
      h.clock.advance(DAY);
      await h.resetPassword(aisha, PW.a);
      await h.service.authenticate({ ...WEB_VISITOR, username: aisha.username, password: PW.a });
    });
  });

  describe('signing in and locking', () => {
    const harness = withHarness();
    const signIn = (h: EsrHarness, password: string, username: string = aisha.username) => h.service.authenticate({ ...WEB_VISITOR, username, password });
    const failures = async (h: EsrHarness, count: number): Promise<EsrErrorCode[]> => {
      const codes: EsrErrorCode[] = [];
      for (let i = 0; i < count; i++) codes.push((await rejectionOf(signIn(h, `wrong guess number ${i}`))).code);
      return codes;
    };

    it('signs in with the right password, in whatever case the username is typed', async () => {
      const h = harness();
      await h.register(aisha, PW.a);
      const account = await signIn(h, PW.a, ' 241ashah01');
      expect(account).to.deep.include({ locked: false, failedAttempts: 0 });
    });

    it('locks after 5 wrong passwords in a row: the first 4 give invalid_credentials, the 5th account_locked', async () => {
      const h = harness();
      await h.register(aisha, PW.a);
      expect(await failures(h, 5)).to.deep.equal(['invalid_credentials', 'invalid_credentials', 'invalid_credentials', 'invalid_credentials', 'account_locked']);
      expect(await h.service.getAccount(aisha.username)).to.deep.include({ locked: true, failedAttempts: 5 });
      expect((await h.accounts.get(aisha.username))!.lockedAt).to.equal('2026-01-05T10:00:00.000Z');
      const locked = (await auditEvents(h)).filter((e) => e.action === 'account.locked');
      expect(locked).to.have.length(1);
    });

    it('refuses even the right password with account_locked once locked', async () => {
      const h = harness();
      await h.register(aisha, PW.a);
      await failures(h, 5);
      expect((await rejectionOf(signIn(h, PW.a))).code).to.equal('account_locked');
    });

    it('is unlocked by a helpdesk agent, clearing the lock and the count, and emails the owner', async () => {
      const h = harness();
      await h.register(aisha, PW.a);
      await failures(h, 5);
      const account = await h.service.unlock(aisha.username, AGENT);
      expect(account).to.deep.include({ locked: false, failedAttempts: 0 });
      expect(await h.accounts.get(aisha.username)).not.to.have.property('lockedAt');
      await signIn(h, PW.a);
      await h.background.idle();
      // An agent acted, so nobody knows the owner's language: the email says so (and goes out in both languages).
      expect(h.notifier.sent.filter((m) => m.type === 'account_unlocked')).to.deep.equal([
        { type: 'account_unlocked', to: aisha.workEmail, firstName: 'Aisha', username: aisha.username, at: new Date('2026-01-05T10:00:00Z'), languageUnknown: true },
      ]);
    });

    it('is unlocked by an emailed unlock link, which hands back a fresh reset link and works only once', async () => {
      const h = harness();
      await h.register(aisha, PW.a);
      await failures(h, 5);
      const token = await h.emailedToken(aisha, 'unlock');
      const { account, resetToken } = await h.service.unlockWithToken({ ...WEB_VISITOR, token });
      expect(account).to.deep.include({ locked: false, failedAttempts: 0 });
      expect(await h.service.inspectToken(resetToken)).to.deep.include({ ok: true, purpose: 'reset' });
      expect((await rejectionOf(h.service.unlockWithToken({ ...WEB_VISITOR, token }))).code).to.equal('token_used');
      await signIn(h, PW.a);
    });

    it('is also unlocked by a password reset', async () => {
      const h = harness();
      await h.register(aisha, PW.a);
      await failures(h, 5);
      await h.resetPassword(aisha, PW.b);
      expect(await signIn(h, PW.b)).to.deep.include({ locked: false, failedAttempts: 0 });
    });

    it('forgets earlier failures after a successful sign-in, so 4 + 4 wrong passwords do not lock', async () => {
      const h = harness();
      await h.register(aisha, PW.a);
      await failures(h, 4);
      await signIn(h, PW.a);
      expect(await failures(h, 4)).to.deep.equal(Array(4).fill('invalid_credentials'));
      expect(await h.service.getAccount(aisha.username)).to.deep.include({ locked: false, failedAttempts: 4 });
    });

    it('does not log what was typed as an unknown username, since it may be a password typed in the wrong box', async () => {
      const h = harness();
      await h.register(aisha, PW.a);
      expect((await rejectionOf(signIn(h, aisha.username, PW.a))).code).to.equal('invalid_credentials');
      const failed = (await auditEvents(h)).filter((e) => e.action === 'signin.failed');
      expect(failed).to.have.length(1);
      expect(failed[0]).to.deep.include({ outcome: 'failure', detail: { reason: 'unknown_username' } });
      expect(failed[0]).not.to.have.property('username');
      expect(await h.readDataFile('audit.jsonl')).not.to.contain(PW.a);
    });

    const strangers: Array<[username: string, why: string]> = [
      ['241NOBODY01', 'a username that is not in the directory'],
      ['not a username', 'text that is not a username at all'],
      [tunde.username, 'a username that has never been registered'],
    ];
    for (const [username, why] of strangers) {
      it(`gives invalid_credentials for ${why}, the same as a wrong password`, async () => {
        const h = harness();
        expect((await rejectionOf(signIn(h, PW.a, username))).code).to.equal('invalid_credentials');
        expect(await h.accounts.get(username)).to.equal(undefined);
      });
    }
  });

  describe('audit and secrets', () => {
    const harness = withHarness();

    it('records every change with who made it, through which channel and when', async () => {
      const h = harness();
      const at = (minutes: number) => new Date(Date.parse('2026-01-05T10:00:00Z') + minutes * MINUTE).toISOString();
      await h.register(aisha, PW.a);
      h.clock.advance(MINUTE);
      await rejectionOf(h.service.authenticate({ ...WEB_VISITOR, username: aisha.username, password: PW.b }));
      h.clock.advance(MINUTE);
      await h.service.authenticate({ ...WEB_VISITOR, username: aisha.username, password: PW.a });
      h.clock.advance(MINUTE);
      const token = await h.emailedToken(aisha);
      h.clock.advance(MINUTE);
      await h.service.resetPasswordWithToken({ ...WEB_VISITOR, token, username: aisha.username, password: PW.c, confirmPassword: PW.c });
      h.clock.advance(MINUTE);
      await h.service.unlock(aisha.username, AGENT);

      const events = await auditEvents(h);
      const staff = inTeams(aisha);
      expect(events.map(({ at, action, actor, channel, outcome, username }) => ({ at, action, actor, channel, outcome, username }))).to.deep.equal([
        { at: at(0), action: 'internet_access.registered', ...staff, outcome: 'success', username: aisha.username },
        { at: at(1), action: 'signin.failed', ...WEB_VISITOR, outcome: 'failure', username: aisha.username },
        { at: at(2), action: 'signin.succeeded', ...WEB_VISITOR, outcome: 'success', username: aisha.username },
        { at: at(3), action: 'account_help.sent', ...WEB_VISITOR, outcome: 'success', username: aisha.username },
        { at: at(4), action: 'password.reset', ...WEB_VISITOR, outcome: 'success', username: aisha.username },
        { at: at(5), action: 'account.unlocked', ...AGENT, outcome: 'success', username: aisha.username },
      ]);
      expect(await h.audit.list({ username: aisha.username })).to.have.length(6);
    });

    it('never writes a password, token or date of birth into audit.jsonl, accounts.json, tokens.json or an email, tokens aside in their own links', async () => {
      const h = harness();
      const passwords = [PW.a, PW.b, PW.c, PW.d, 'Password2024!'];
      // Register, fail and succeed to sign in, lock, unlock by link, reset (a rejected try, then a good one).
      await h.register(aisha, PW.a);
      await rejectionOf(h.service.authenticate({ ...WEB_VISITOR, username: aisha.username, password: PW.b }));
      await rejectionOf(h.service.authenticate({ ...WEB_VISITOR, username: PW.a, password: aisha.username })); // the boxes swapped
      await h.service.authenticate({ ...WEB_VISITOR, username: aisha.username, password: PW.a });
      for (let i = 0; i < 5; i++) await rejectionOf(h.service.authenticate({ ...WEB_VISITOR, username: aisha.username, password: PW.d }));
      const unlockToken = await h.emailedToken(aisha, 'unlock');
      const { resetToken } = await h.service.unlockWithToken({ ...WEB_VISITOR, token: unlockToken });
      await rejectionOf(h.service.resetPasswordWithToken({ ...WEB_VISITOR, token: resetToken, username: aisha.username, password: 'Password2024!', confirmPassword: 'Password2024!' }));
      await rejectionOf(h.service.resetPasswordWithToken({ ...WEB_VISITOR, token: 'not-a-token', username: PW.d, password: PW.d, confirmPassword: PW.d }));
      await h.service.resetPasswordWithToken({ ...WEB_VISITOR, token: resetToken, username: aisha.username, password: PW.c, confirmPassword: PW.c });
      // Account help for Morgan (two usernames), one that matches nobody, and a forgotten username.
      await h.setUpAtWork(morgan01, morgan02);
      h.service.requestAccountHelp(helpRequest({ email: morgan01.workEmail, dateOfBirth: morgan01.dateOfBirth }));
      h.service.requestAccountHelp(helpRequest({ email: tunde.workEmail, dateOfBirth: '1978-11-29' }));
      h.service.requestAccountHelp(helpRequest({ kind: 'username', email: tunde.workEmail, dateOfBirth: tunde.dateOfBirth }));
      await h.background.idle();

      const tokens = [...new Set([unlockToken, resetToken, ...h.notifier.accountHelp.flatMap((m) => m.accounts.flatMap((a) => (a.token ? [a.token] : [])))])];
      expect(tokens).to.have.length(4);
      const datesOfBirth = Object.values(STAFF).flatMap((r) => {
        const [y, m, d] = r.dateOfBirth.split('-');
        return [r.dateOfBirth, `${d}/${m}/${y}`, `${y}${m}${d}`];
      });
      datesOfBirth.push('1978-11-29');
      // Emails with the tokens taken out of their links: nothing secret may remain anywhere else in them.
      const emails = JSON.stringify(h.notifier.sent.map((m) => (m.type === 'account_help' ? { ...m, accounts: m.accounts.map((a) => a.username) } : m)));
      const files = {
        'audit.jsonl': await h.readDataFile('audit.jsonl'),
        'accounts.json': await h.readDataFile('accounts.json'),
        'tokens.json': await h.readDataFile('tokens.json'),
        'limits.json': await h.readDataFile('limits.json'),
        emails,
      };
      for (const [where, text] of Object.entries(files)) {
        for (const secret of [...passwords, ...tokens, ...datesOfBirth]) {
          expect(text.includes(secret), `${where} contains "${secret}"`).to.equal(false);
        }
      }
      expect(h.backgroundErrors).to.deep.equal([]);
    });

    it('keeps only argon2id hashes at OWASP parameters in accounts.json', async () => {
      const h = harness();
      await h.register(aisha, PW.a);
      await h.resetPassword(aisha, PW.b);
      await h.register(tunde, PW.c);
      const file = JSON.parse(await h.readDataFile('accounts.json')) as { accounts: Record<string, { passwordHash?: string; previousHashes: string[] }> };
      const hashes = Object.values(file.accounts).flatMap((a) => [a.passwordHash, ...a.previousHashes]);
      expect(hashes).to.have.length(3);
      for (const hash of hashes) expect(hash).to.match(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    });
  });
});
