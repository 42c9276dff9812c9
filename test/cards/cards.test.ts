// Every card the bot sends passes the check Teams would make (the official parser at schema 1.5) and our
// accessibility rules; the checker itself is shown to catch each mistake it is meant to.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { trustValues } from '../../bot/app.js';
import { loadConfig } from '../../bot/config.js';
import { choiceCard, homeCard, infoCard, noticeCard, passwordFormCard, passwordRulesCard, ratingCard } from '../../cards/cards.js';
import { guidedStepCard } from '../../cards/guidedCards.js';
import { ticketCard, type TicketCardOptions } from '../../cards/ticketCard.js';
import type { Ticket, TicketStatus } from '../../tickets/types.js';
import { ADAPTIVE_CARD_CONTENT_TYPE, asAttachment, renderCard, templateNames, type CardJson } from '../../cards/render.js';
import { cardProblems } from '../../cards/validate.js';
import { loadContent, type Content } from '../../content/content.js';
import { FLOW_IDS } from '../../dialogs/flowIds.js';

const RULES = { minLength: 12, historySize: 4, maxLength: 256 };
const TEMPLATE_DIR = fileURLToPath(new URL('../../cards/templates/', import.meta.url));

/** Every node of a card with a `type`, depth first. */
function elements(node: unknown): Array<Record<string, unknown>> {
  if (Array.isArray(node)) return node.flatMap(elements);
  if (!node || typeof node !== 'object') return [];
  const o = node as Record<string, unknown>;
  return [...(typeof o.type === 'string' ? [o] : []), ...Object.values(o).flatMap(elements)];
}

const textsOf = (card: CardJson) => elements(card).filter((e) => e.type === 'TextBlock').map((e) => String(e.text));
const actionsOf = (card: CardJson) => elements(card).filter((e) => String(e.type).startsWith('Action.'));

const TICKET_OPTIONS: TicketCardOptions = {
  screenshotUrl: (t, id) => `https://esr-helpdesk.example.nhs.uk/screenshots/${t.id}/${id}?exp=1&sig=x`,
  formatTime: (iso) => iso.slice(0, 16).replace('T', ' '),
};

function sampleTicket(status: TicketStatus): Ticket {
  const agent = { id: 'agent-1', name: 'Fran Mock' };
  return {
    id: 42,
    ref: 'ESR-00042',
    status,
    category: 'login',
    description: 'I get an error after I log in [and] it says "500"',
    errorMessage: 'Error 500: Internal Server Error',
    requester: { teamsUserId: '29:alex', name: 'Alex Demo', email: 'alex.demo@nhs-trust.example', esrUsernames: ['241ADEMO01'], staffGroup: 'substantive' },
    context: { flow: 'forgotPassword', step: 'forgotPassword.dateOfBirth' },
    screenshots: status === 'open' ? [] : [{ id: 'abc123', fileName: 'error.png', contentType: 'image/png', bytes: 120_000, sha256: 'x' }],
    ...(status === 'open' ? {} : { assignee: agent }),
    live: status === 'assigned',
    wantsPerson: true,
    createdAt: '2026-01-05T10:00:00.000Z',
    updatedAt: '2026-01-05T10:05:00.000Z',
    transcript: status === 'open' ? [] : [
      { at: '2026-01-05T10:00:00.000Z', from: 'user', name: 'Alex Demo', text: 'I forgot my password' },
      { at: '2026-01-05T10:00:01.000Z', from: 'bot', text: 'What is your work email address?' },
      { at: '2026-01-05T10:03:00.000Z', from: 'agent', name: 'Fran Mock', text: 'Hi Alex, looking now.' },
    ],
    version: 3,
    userConversation: { conversation: { id: 'a:1' } },
    events: [],
  };
}

describe('cards', () => {
  let c: Content;
  before(async () => {
    c = await loadContent({ locale: 'en-GB', globals: trustValues(loadConfig({})) });
  });

  describe('every card the bot sends passes the Teams and accessibility checks', () => {
    const cards: Array<[name: string, build: () => CardJson]> = [
      ['the menu', () => homeCard(c)],
      ['the welcome with a first name', () => homeCard(c, { welcome: { firstName: 'Alex' } })],
      ['the welcome without a first name', () => homeCard(c, { welcome: {} })],
      ['an info card with only a title', () => infoCard(c, { title: 'Payslips online' })],
      ['an info card with intro, items and footer', () => infoCard(c, { title: 'Get the My ESR app', intro: 'On your iPhone:', items: ['Open the App Store.', 'Search for MyESR.'], footer: 'Your username starts with 241.' })],
      ['an info card with buttons', () => infoCard(c, { title: 'Payslips online', intro: 'Log in and open Payslips.', next: ['register', 'app'] })],
      ['an info card with three buttons, the most a common question offers', () => infoCard(c, { title: 'Payslips online', next: ['register', 'app', 'human'] })],
      ['an info card with its own fallback', () => infoCard(c, { title: 'Check your email', fallback: 'Check your email.' })],
      ['the password rules', () => passwordRulesCard(c, RULES)],
      ['the password rules with follow-on buttons', () => passwordRulesCard(c, RULES, ['register', 'forgotPassword'])],
      ['a choice', () => choiceCard({ title: 'Which phone?', text: 'Which kind of phone do you have?', choices: [{ label: 'iPhone or iPad', value: 'iphone' }, { label: 'Android', value: 'android' }] })],
      ['a choice without a title', () => choiceCard({ text: 'Which account?', choices: [{ label: '241JSMITH01', value: '241JSMITH01' }] })],
      ['the password form', () => passwordFormCard(c, { title: 'Set your ESR password', intro: 'Type it twice.', submitAction: 'setPassword', rules: RULES })],
      ['the password form with errors', () => passwordFormCard(c, { title: 'Set your ESR password', intro: 'Type it twice.', errors: ['It is too short.', 'It is a common password.'], submitAction: 'setPassword', rules: RULES })],
      ['a notice', () => noticeCard({ title: 'Password form used', text: 'This form has been used and cleared.' })],
      ['a good notice', () => noticeCard({ title: 'Done', text: 'You are set up.', tone: 'good' })],
      ['an attention notice', () => noticeCard({ title: 'Stopped', text: 'That did not work.', tone: 'attention' })],
      ['the rating card after a live chat', () => ratingCard(c, { id: 42, ref: 'ESR-00042' })],
      ['a new ticket for the agents', () => ticketCard(c, sampleTicket('open'), TICKET_OPTIONS)],
      ['a ticket an agent holds, with screenshots and a conversation', () => ticketCard(c, sampleTicket('assigned'), TICKET_OPTIONS)],
      ['a resolved ticket', () => ticketCard(c, sampleTicket('resolved'), TICKET_OPTIONS)],
      ['a guided step with a link to ESR and Done / didn\'t work', () => guidedStepCard(c, { title: 'Reset your password on ESR\'s own page', progress: 'Step 1 of 1', items: ['1. Open ESR'], footer: 'Never type your password here.', links: [{ title: 'Open ESR', url: 'https://my.esr.nhs.uk' }], choices: [{ label: 'Done, what next?', value: 'done' }, { label: "That didn't work", value: 'didnt work' }] })],
      ['a guided step with a question and follow-on flows', () => guidedStepCard(c, { title: 'Check your work email', paragraphs: ['ESR sends the link to a••x.d••o@nhs-trust.example.'], question: 'Is this the email you use?', choices: [{ label: 'Yes', value: 'yes' }], next: ['app'] })],
      ['an ESR admin task waiting for an agent, with a labelled reason box', () => ticketCard(c, { ...sampleTicket('open'), kind: 'unlock', task: { organisationCode: '241', username: '241CTEST01', teams: { upn: 'chris.test@nhs-trust.example', displayName: 'Chris Test' }, tried: ['Asked to unlock their ESR account.'] } }, TICKET_OPTIONS)],
      ['an ESR admin task that could not be done', () => ticketCard(c, { ...sampleTicket('resolved'), kind: 'reactivate', task: { teams: {}, tried: [], outcome: 'not_done', reason: 'Assignment ended.', automation: { requestId: 'r1', state: 'failed' } } }, TICKET_OPTIONS)],
    ];
    for (const [name, build] of cards) {
      it(name, () => {
        const card = build();
        expect(cardProblems(card), JSON.stringify(card, null, 2)).to.deep.equal([]);
      });
    }
  });

  describe('the menu and welcome', () => {
    it('offers every flow as a button that says which flow it starts', () => {
      const actions = actionsOf(homeCard(c)).filter((a) => (a.data as { action?: string }).action !== 'language');
      expect(actions.map((a) => (a.data as { flow: string }).flow)).to.have.members([...FLOW_IDS]);
      for (const a of actions) expect(a.data).to.include({ action: 'flow' });
    });

    it('greets by first name only when there is one', () => {
      expect(textsOf(homeCard(c, { welcome: { firstName: 'Alex' } }))[0]).to.equal("Hello Alex, I'm the ESR Helpdesk");
      expect(textsOf(homeCard(c, { welcome: {} }))[0]).to.equal("Hello, I'm the ESR Helpdesk");
    });

    it('shows the welcome words only on the welcome', () => {
      const welcome = textsOf(homeCard(c, { welcome: {} })).join('\n');
      const menu = textsOf(homeCard(c)).join('\n');
      expect(welcome).to.contain(c.t('welcome.tips'));
      expect(menu).to.not.contain(c.t('welcome.tips'));
      expect(menu).to.contain(c.t('menu.title'));
    });
  });

  describe('the info card', () => {
    it('has no buttons unless asked for some', () => {
      expect(actionsOf(infoCard(c, { title: 'Just text' }))).to.deep.equal([]);
    });

    it('turns each follow-on flow into a button with the menu label', () => {
      const actions = actionsOf(infoCard(c, { title: 'x', next: ['app'] }));
      expect(actions).to.have.length(1);
      expect(actions[0]).to.include({ type: 'Action.Submit', title: c.t('menu.flows.app.label') });
      expect(actions[0]!.data).to.include({ action: 'flow', flow: 'app' });
    });

    it('falls back to its own words when Teams cannot show the card', () => {
      expect(infoCard(c, { title: 'T', intro: 'I', items: ['a', 'b'], footer: 'F' }).fallbackText).to.equal('T\nI\na\nb\nF');
    });

    it('shows the password rules with the numbers filled in', () => {
      const texts = textsOf(passwordRulesCard(c, RULES)).join('\n');
      expect(texts).to.contain('At least 12 characters').and.contain('previous 4 passwords').and.contain('up to 256 characters');
    });
  });

  it('keeps the password boxes masked and labelled, and lets Cancel skip them', () => {
    const card = passwordFormCard(c, { title: 'Set', intro: 'Type it twice.', submitAction: 'setPassword', rules: RULES });
    const inputs = elements(card).filter((e) => e.type === 'Input.Text');
    expect(inputs.map((i) => i.id)).to.deep.equal(['newPassword', 'confirmPassword']);
    for (const input of inputs) expect(input).to.include({ style: 'password', isRequired: true });
    const [submit, cancel] = actionsOf(card);
    expect(submit!.data).to.deep.equal({ action: 'setPassword' });
    expect(cancel).to.include({ associatedInputs: 'none' });
  });

  it('wraps a card as a Teams attachment', () => {
    const card = homeCard(c);
    expect(asAttachment(card)).to.deep.equal({ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card });
  });

  describe('text in the data is shown as it is, never run as a template expression', () => {
    const tricky = ['${1+1}', '${toUpper(title)}', '${$root}', 'a ${', '$${x}'];
    for (const text of tricky) {
      it(JSON.stringify(text), () => {
        const card = infoCard(c, { title: text, items: [text], fallback: text });
        const shown = (s: unknown) => String(s).replace(/\u200b/g, '');
        const texts = textsOf(card);
        expect(shown(texts[0])).to.equal(text);
        expect(shown(texts[1])).to.equal(text);
        expect(shown(card.fallbackText)).to.equal(text);
      });
    }

    it('including in choices, whose values come back as typed text', () => {
      const card = choiceCard({ text: 'Pick', choices: [{ label: '${label}', value: '${value}' }] });
      const [action] = actionsOf(card);
      expect(String(action!.title).replace(/\u200b/g, '')).to.equal('${label}');
    });
  });

  describe('the ticket card shows what staff typed as typed, with no live link of theirs', () => {
    const phish = '[Open ESR securely](https://evil.example/phish)';
    const nasty = (): Ticket => {
      const ticket = sampleTicket('assigned');
      return {
        ...ticket,
        description: `${phish}\nor https://evil.example/bare <at>Fran</at> **urgent**`,
        errorMessage: '<b>www.evil.example</b>',
        requester: { ...ticket.requester, name: '[Alex](https://evil.example/name)', email: 'alex@evil.example' },
        assignee: { id: 'agent-1', name: '[Fran](https://evil.example/agent)' },
        screenshots: [{ ...ticket.screenshots[0]!, fileName: '](https://evil.example/file).png' }],
        transcript: [
          { at: '2026-01-05T10:00:00.000Z', from: 'user', name: '<at>Alex</at>', text: phish },
          { at: '2026-01-05T10:00:01.000Z', from: 'bot', text: `I could not use **${phish}**.` },
          { at: '2026-01-05T10:03:00.000Z', from: 'agent', name: 'Fran Mock', text: 'see https://evil.example/agent-said' },
        ],
      };
    };

    it('escapes every link, address, mention and tag from staff text, leaving only the bot\'s own screenshot link', () => {
      const card = ticketCard(c, nasty(), TICKET_OPTIONS);
      expect(cardProblems(card)).to.deep.equal([]);
      const json = JSON.stringify(card);
      // No unescaped link syntax, address or tag anywhere: each would be live in Teams.
      expect(json).to.not.match(/(?<!\\\\)\]\((?!https:\/\/esr-helpdesk\.example\.nhs\.uk\/screenshots\/)/);
      expect(json).to.not.match(/evil\.example|https:\/\/evil|www\.evil|(?<!\\\\)<at>|(?<!\\\\)<b>/);
      const facts = elements(card).find((e) => e.type === 'FactSet')!.facts as Array<{ value: string }>;
      expect(facts[1]!.value).to.equal('\\[Alex\\]\\(https\\://evil\\.example/name\\), alex@evil\\.example');
      const texts = textsOf(card);
      expect(texts).to.include('Held by \\[Fran\\]\\(https\\://evil\\.example/agent\\)');
      expect(texts).to.include('\\[Open ESR securely\\]\\(https\\://evil\\.example/phish\\)\nor https\\://evil\\.example/bare \\<at\\>Fran\\</at\\> \\*\\*urgent\\*\\*');
      expect(texts).to.include('[\\]\\(https\\://evil\\.example/file\\)\\.png (117 KB)](https://esr-helpdesk.example.nhs.uk/screenshots/42/abc123?exp=1&sig=x)');
    });

    it("keeps the bot's own formatting: speakers in bold, its labels as they are", () => {
      const texts = textsOf(ticketCard(c, nasty(), TICKET_OPTIONS));
      expect(texts).to.include('**\\<at\\>Alex\\</at\\>:** \\[Open ESR securely\\]\\(https\\://evil\\.example/phish\\)');
      expect(texts).to.include(`**${c.t('common.botName')}:** I could not use \\[Open ESR securely\\]\\(https\\://evil\\.example/phish\\)\\.`);
      expect(texts).to.include(c.t('agents.fields.description'));
    });
  });

  describe('the templates', () => {
    it('are all listed by templateNames()', () => {
      const files = readdirSync(TEMPLATE_DIR).filter((f) => f.endsWith('.json'));
      expect(files).to.not.be.empty;
      expect(templateNames()).to.have.members(files.map((f) => f.replace(/\.json$/, '')));
    });

    for (const name of readdirSync(fileURLToPath(new URL('../../cards/templates/', import.meta.url))).filter((f) => f.endsWith('.json'))) {
      const template = name.replace(/\.json$/, '');
      it(`${template} renders with empty-ish data without throwing`, () => {
        for (const data of [{}, { title: '', text: '', intro: '', footer: '', fallback: '', items: [], errors: [], rules: [], groups: [], choices: [], buttons: [] }]) {
          const card = renderCard(template, data);
          expect(card).to.include({ type: 'AdaptiveCard', version: '1.5' });
        }
      });
    }
  });
});

describe('cardProblems, the card checker itself', () => {
  const valid = (): Record<string, unknown> & { body: unknown[] } => ({
    type: 'AdaptiveCard',
    version: '1.5',
    fallbackText: 'Hello',
    body: [{ type: 'TextBlock', text: 'Hello', wrap: true }],
  });

  it('finds nothing wrong with a small valid card', () => {
    expect(cardProblems(valid())).to.deep.equal([]);
  });

  const cases: Array<[mistake: string, card: () => unknown, expected: RegExp]> = [
    ['an unknown element type', () => ({ ...valid(), body: [...valid().body, { type: 'Carousel', pages: [] }] }), /Unknown element type "Carousel"/],
    ['version 1.6, which Teams does not render', () => ({ ...valid(), version: '1.6' }), /version is 1\.6/],
    ['an input with no label', () => ({ ...valid(), body: [{ type: 'Input.Text', id: 'email' }] }), /Input\.Text "email" has no label/],
    ['an input with a blank label', () => ({ ...valid(), body: [{ type: 'Input.Text', id: 'email', label: ' ' }] }), /has no label/],
    ['duplicate ids', () => ({ ...valid(), body: [{ type: 'Input.Text', id: 'a', label: 'A' }, { type: 'Input.Text', id: 'a', label: 'B' }] }), /Duplicate Id "a"/],
    ['a missing fallbackText', () => ({ ...valid(), fallbackText: undefined }), /no fallbackText/],
    ['an empty fallbackText', () => ({ ...valid(), fallbackText: '  ' }), /no fallbackText/],
    ['an Image without altText', () => ({ ...valid(), body: [{ type: 'Image', url: 'https://example.org/logo.png' }] }), /Image has no altText/],
    ['an action without a title', () => ({ ...valid(), actions: [{ type: 'Action.Submit', data: {} }] }), /Action\.Submit has no title/],
    ['an unfilled {placeholder}', () => ({ ...valid(), body: [{ type: 'TextBlock', text: 'Hello {firstName}' }] }), /unfilled placeholder: Hello \{firstName\}/],
    ['an unexpanded ${expression}', () => ({ ...valid(), body: [{ type: 'TextBlock', text: 'Hello ${name}' }] }), /unfilled placeholder/],
    ['more buttons than Teams shows (5)', () => ({ ...valid(), actions: [1, 2, 3, 4, 5, 6].map((n) => ({ type: 'Action.Submit', title: `Button ${n}` })) }), /Maximum number of actions exceeded/],
    ['a card over 80 KB', () => ({ ...valid(), body: [{ type: 'TextBlock', text: 'x'.repeat(90 * 1024) }] }), /over 81920/],
  ];
  for (const [mistake, card, expected] of cases) {
    it(`catches ${mistake}`, () => {
      const problems = cardProblems(card());
      expect(problems.some((p) => expected.test(p)), `problems: ${JSON.stringify(problems)}`).to.equal(true);
    });
  }
});
