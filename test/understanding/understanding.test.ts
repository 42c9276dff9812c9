// What staff type, understood from the real content files: the examples, commands as before, the ESR
// messages that lead to a question or a flow, and the tuning and development files' scores (npm run eval:understanding).
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { loadContent } from '../../content/content.js';
import { loadFaq } from '../../content/faq.js';
import { outcomeOf } from '../../understanding/classify.js';
import { evaluate, judge, readCases, type Outcome } from '../../understanding/evaluate.js';
import { understandingSource } from '../../understanding/source.js';
import { TermPipeline, words } from '../../understanding/text.js';
import { Understander } from '../../understanding/understander.js';

describe('understanding what staff say', () => {
  let u: Understander;
  let welsh: Understander;
  /** The same content without the learned classifier, for what retrieval does on its own. */
  let retrievalOnly: Understander;
  before(async () => {
    u = new Understander(understandingSource(await loadContent({ locale: 'en-GB' }), await loadFaq('en-GB')));
    const { examples: _examples, ...retrieval } = understandingSource(await loadContent({ locale: 'en-GB' }), await loadFaq('en-GB'));
    retrievalOnly = new Understander(retrieval);
    welsh = new Understander(understandingSource(await loadContent({ locale: 'cy-GB' }), await loadFaq('cy-GB')));
  });

  describe("lands the issue's examples on the right answer", () => {
    const cases: Array<[string, string]> = [
      ['When is the helpdesk open?', 'faq:office-hours'],
      ['How can I get in touch with the ESR team?', 'faq:contact'],
      ['Why did I get an email from ESR?', 'faq:notifications'],
      ['where do I do my stat and mand', 'faq:training'],
      ['how do I get my P60', 'faq:payslips'],
      ['how do I turn the emails off', 'faq:notifications'],
      ['can you unblock my account', 'unlock'],
      ['I have forgotten my user ID', 'forgotUsername'],
      ['can I use ESR on my home computer', 'register'],
      ['a phone number for the ESR team', 'faq:contact'],
      ['pasword reset', 'forgotPassword'],
      ['usernmae', 'forgotUsername'],
    ];
    for (const [text, expected] of cases) {
      it(`"${text}" → ${expected}`, () => {
        expect(outcomeOf(u, text)).to.deep.equal({ kind: 'answer', label: expected });
      });
    }
  });

  describe('keeps commands exactly as they were', () => {
    const commands: Array<[string, string]> = [
      ['help', 'help'],
      ['Help!!!', 'help'],
      ['what can you do', 'help'],
      ['cancel', 'cancel'],
      ['never mind', 'cancel'],
      ['stop', 'cancel'],
      ['menu', 'menu'],
      ['start again', 'menu'],
      ['hello', 'greeting'],
      ['thank you', 'thanks'],
    ];
    for (const [text, intent] of commands) {
      it(`"${text}" is the ${intent} command`, () => {
        expect(u.understand(text)).to.deep.equal({ kind: 'command', intent });
      });
    }
    it('"speak to someone" goes to a person', () => {
      expect(u.understand('speak to someone')).to.include({ kind: 'answer', intent: 'human' });
    });
    it('does not take "stop ESR emails" as cancel, since its other words ask for something', () => {
      expect(outcomeOf(u, 'stop ESR emails')).to.deep.equal({ kind: 'answer', label: 'faq:notifications' });
    });
  });

  describe('reads the ESR messages staff paste, and never guesses', () => {
    const cases: Array<[string, Outcome]> = [
      ['My ESR says invalid username or password', { kind: 'ask', labels: ['forgotPassword', 'forgotUsername', 'unlock'] }],
      ['username or password is incorrect', { kind: 'ask', labels: ['forgotPassword', 'forgotUsername', 'unlock'] }],
      ['it says your account is locked', { kind: 'answer', label: 'unlock' }],
      ['Account inactive', { kind: 'answer', label: 'unlock' }],
      ['You do not have internet access', { kind: 'answer', label: 'register' }],
      ['the link has expired', { kind: 'answer', label: 'forgotPassword' }],
      ['the payslips page says Internal Server Error', { kind: 'answer', label: 'report' }],
      ['ORA-01403: no data found', { kind: 'answer', label: 'report' }],
      ['my session keeps timing out', { kind: 'answer', label: 'report' }],
      ['Access denied: a smartcard is required for this responsibility', { kind: 'answer', label: 'register' }],
    ];
    for (const [text, outcome] of cases) {
      it(`"${text}" → ${JSON.stringify(outcome)}`, () => {
        expect(outcomeOf(u, text)).to.deep.equal(outcome);
      });
    }
  });

  it('reads an ESR message only where its words stand close together, not spread across sentences', () => {
    expect(u.understand('what time does the team close? I am out of the office tomorrow').kind).to.not.equal('diagnosis');
    expect(u.understand('my account has now been locked').kind).to.equal('diagnosis');
  });

  it('does not read an ESR message that the person denies ("I\'m not locked out")', () => {
    expect(u.understand("I'm not locked out, I just forgot my username").kind).to.not.equal('diagnosis');
    expect(u.understand("my account isn't locked, the password is just wrong").kind).to.not.equal('diagnosis');
    expect(outcomeOf(u, "I'm not locked out, I just forgot my username")).to.not.deep.equal({ kind: 'answer', label: 'unlock' });
    expect(u.understand('I have been locked out').kind).to.equal('diagnosis');
  });

  it('does not read a lock the person fears as one they have ("I don\'t want to lock my account")', () => {
    expect(outcomeOf(u, "I've forgotten my username and I don't want to lock my account by guessing")).to.deep.equal({ kind: 'answer', label: 'forgotUsername' });
  });

  it('offers "did you mean" between close answers rather than picking one', () => {
    const result = u.understand('who do I contact about my ESR account');
    expect(result.kind).to.equal('ask');
    expect((result as { candidates: string[] }).candidates).to.include('faq:contact').and.have.length.at.most(3);
  });

  it('falls back on things it knows nothing about', () => {
    for (const text of ['purple elephant', 'who won the football', 'asdfghjkl']) expect(u.understand(text).kind, text).to.equal('none');
  });

  describe('turning text into terms', () => {
    it('matches a synonym marked "=" only as typed, not by its stem', () => {
      const pipeline = new TermPipeline({ synonyms: ['msteams: =teams', 'helpdesk: team'], ignoredWords: [] });
      expect(pipeline.terms('teams crashed')).to.deep.equal(['msteam', 'crash']);
      expect(pipeline.terms('the team')).to.deep.equal(['the', 'helpdesk']);
    });

    it("drops a possessive 's but keeps other apostrophes' words whole", () => {
      expect(words("the team's hours, can't log in")).to.deep.equal(['the', 'team', 'hours', 'cant', 'log', 'in']);
    });

    it('reads plain ASCII text exactly as the same text with one non-ASCII character reads (the fast path changes nothing)', () => {
      // A trailing "é" sends the text down the Unicode path; it is one more word there, and nothing else differs.
      for (const text of ["Tom's café-bar & O'Neil's `x` it's 12ab 3-4 don't", 'ESR_LOGIN fails!! 2FA?', "the team's", 'a  b\tc\nd', '']) {
        const ascii = text.replace('é', 'e');
        expect(words(`${ascii} é`), text).to.deep.equal([...words(ascii), 'é']);
      }
    });

    it('rewrites with the longest synonym that fits, and the first given of two alike', () => {
      const pipeline = new TermPipeline({ synonyms: ['helpdesk: help desk, help desk team', 'support: help', 'other: help desk'], ignoredWords: [] });
      expect(pipeline.stems('the help desk team is great')).to.deep.equal(['the', 'helpdesk', 'is', 'great']);
      expect(pipeline.stems('help desk hours')).to.deep.equal(['helpdesk', 'hour']);
      expect(pipeline.stems('help me')).to.deep.equal(['support', 'me']);
      expect(pipeline.stems('help')).to.deep.equal(['support']);
    });
  });

  describe('other subjects', () => {
    it('falls back on another app (the rota app, the NHS app), job applications and a locked mailbox, but not on the ESR app', () => {
      for (const text of ['the rota app wont load', 'my healthroster app keeps crashing', 'how do I apply for a job', 'interview for a new post next week', 'my locked mailbox']) expect(u.understand(text).kind, text).to.equal('none');
      expect(outcomeOf(u, 'my esr app keeps crashing')).to.deep.equal({ kind: 'answer', label: 'app' });
    });
    it('falls back when another system or subject is named and ESR is not, even with ESR-like words', () => {
      for (const text of ['my Windows login has locked me out', 'reset my nhsmail password please', 'how do I request annual leave on healthroster', 'my smartcard isnt working', 'my teams is not working', 'who is on call tonight']) {
        expect(u.understand(text).kind, text).to.equal('none');
      }
    });

    it('falls back on a locked NHSmail account or laptop, staffing apps, carrying leave over and a letter confirming employment, though they share ESR words', () => {
      for (const text of ['my nhsmail account is locked after too many attempts', 'I am locked out of my laptop', 'cant log in to Patchwork', 'SafeCare wont let me submit', 'can I carry my leave over to next year', 'I need a letter confirming my employment for the bank']) {
        expect(u.understand(text).kind, text).to.equal('none');
      }
      expect(outcomeOf(u, 'my ESR account is locked after too many attempts')).to.deep.equal({ kind: 'answer', label: 'unlock' });
    });

    it('keeps a question that one of our phrases holds and that says far more about ESR than another subject mentioned in passing', () => {
      expect(outcomeOf(u, 'my ward sister says my stat and mand has expired, where do I redo it on the elearning')).to.deep.equal({ kind: 'answer', label: 'faq:training' });
    });

    it('falls back on pay day, which is payroll and not ESR', () => {
      for (const text of ['what day is pay day', 'when is payday this month']) expect(u.understand(text).kind, text).to.equal('none');
    });

    it('answers whether the ESR login is the network or PC login', () => {
      expect(outcomeOf(u, 'is my ESR login the same as my network login')).to.deep.equal({ kind: 'answer', label: 'faq:username-vs-computer' });
    });

    it('falls back on home wifi and slow laptops, which are not ESR, though working from home is', () => {
      expect(u.understand('my home wifi keeps dropping').kind).to.equal('none');
      expect(u.understand('my laptop is running slow').kind).to.equal('none');
      expect(outcomeOf(u, 'I work on the road, can I use ESR')).to.deep.equal({ kind: 'answer', label: 'register' });
    });

    it('keeps an ESR question that mentions another subject when it names ESR', () => {
      expect(outcomeOf(u, "I'm on maternity leave and need to get into ESR from home")).to.deep.equal({ kind: 'answer', label: 'register' });
    });

    it('takes a pay dispute as payroll, not payslips', () => {
      expect(outcomeOf(u, 'my salary is short this month')).to.deep.equal({ kind: 'none' });
    });

    it('reads "capital" alone as no password rule', () => {
      expect(outcomeOf(u, 'what is the capital of spain').kind).to.equal('none');
    });

    it('reports a record that shows the wrong thing, said without the word "wrong"', () => {
      expect(outcomeOf(u, 'ESR has me down as band 5 but I am band 6')).to.deep.equal({ kind: 'answer', label: 'report' });
    });

    it('offers the app alongside a forgotten password when the app shows a login message', () => {
      expect(outcomeOf(u, 'the My ESR app says invalid username or password')).to.deep.equal({ kind: 'ask', labels: ['app', 'forgotPassword', 'forgotUsername'] });
    });

    it('hears "when can I ring you" as opening hours, and "not a bot" as asking for a person', () => {
      expect(outcomeOf(u, 'when can I ring you about ESR')).to.deep.equal({ kind: 'answer', label: 'faq:office-hours' });
      expect(outcomeOf(u, 'not a bot, a real person please')).to.deep.equal({ kind: 'answer', label: 'human' });
    });

    it('answers a question about ESR and another system together', () => {
      expect(outcomeOf(u, 'is my ESR password the same as my Windows password')).to.deep.equal({ kind: 'answer', label: 'faq:username-vs-computer' });
    });

    it("reads a possessive as the word itself: the team's hours are not Microsoft Teams", () => {
      expect(outcomeOf(u, "what are the team's working hours")).to.deep.equal({ kind: 'answer', label: 'faq:office-hours' });
    });
  });

  describe('weak matches', () => {
    it('asks when one of its phrases is there whole but the message says more (retrieval alone)', () => {
      expect(outcomeOf(retrievalOnly, "my training module won't load")).to.deep.include({ kind: 'ask' });
    });

    it('falls back instead when much of the message is words it does not know', () => {
      expect(u.understand('who do I contact about my student loan').kind).to.equal('none');
    });

    it('offers what one sentence of a long message asks, when the story around it leaves the whole too weak (retrieval alone)', () => {
      const story = 'We moved house in the summer and it has been chaos ever since, boxes everywhere. My partner keeps nagging me about the mortgage forms. Where can I see my payslip?';
      const outcome = outcomeOf(retrievalOnly, story);
      expect(outcome.kind).to.equal('ask');
      expect(outcome.kind === 'ask' && outcome.labels[0]).to.equal('faq:payslips');
    });

    it('still falls back on a long message none of whose sentences is answered alone', () => {
      expect(u.understand('My daughter started school this week and the house is a mess. The boiler broke as well. Honestly what a week.').kind).to.equal('none');
    });

    it('offers a best match far ahead of the rest even when a long story brings many words it does not know (retrieval alone)', () => {
      const story = 'Our practice educator pinned a leaflet saying download MyESR but nothing else, and the shop lists dozens of lookalikes with odd logos. Which one is genuine?';
      expect(outcomeOf(retrievalOnly, story)).to.deep.equal({ kind: 'ask', labels: ['app'] });
    });

    it('does not read a long message sentence by sentence when it is about another subject', () => {
      expect(u.understand('The rota app keeps crashing on my phone. I need to swap a shift. Where do I see my payslip?').kind).to.equal('none');
    });
  });

  it('asks which is meant when a message has two subjects, each held by a different answer', () => {
    const result = outcomeOf(u, 'esr works at the hospital but it wont load from home');
    expect(result.kind).to.equal('ask');
    expect((result as { labels: string[] }).labels).to.include.members(['register', 'report']);
  });

  it('takes a longer message made only of one command phrase as that command', () => {
    expect(u.understand('how does this bot actually work')).to.deep.equal({ kind: 'command', intent: 'help' });
    expect(u.understand('go back to the start')).to.deep.equal({ kind: 'command', intent: 'menu' });
  });

  it('does not take a one-word command inside a longer question as the command ("home")', () => {
    expect(outcomeOf(u, 'can I use ESR at home')).to.deep.equal({ kind: 'answer', label: 'register' });
  });

  describe('knows the words NHS staff use', () => {
    const cases: Array<[string, string]> = [
      ['whats my 241 number', 'forgotUsername'],
      ['info gov training', 'faq:training'],
      ['where r my stat n mand', 'faq:training'],
      ['what is ess', 'faq:what-is-esr'],
      ['how do I print my training certificate', 'faq:training'],
      ['where is my total reward statement', 'faq:payslips'],
      ['how do I find my competencies', 'faq:training'],
      ['lost my pw', 'forgotPassword'],
      ['how do i retrieve my esr password', 'forgotPassword'],
      ['lockd out of esr', 'unlock'],
      ['is my username the same as my staff number', 'forgotUsername'],
      ['my esr password has completely slipped my mind', 'forgotPassword'],
      ['do I use my computer login for esr', 'faq:username-vs-computer'],
    ];
    for (const [text, expected] of cases) {
      it(`"${text}" → ${expected}`, () => {
        expect(outcomeOf(u, text)).to.deep.equal({ kind: 'answer', label: expected });
      });
    }
  });

  it('reads "forgot it" after what was forgotten as forgetting it, not as "forget it" (cancel), which a told cancel still is', () => {
    expect(u.understand('username?? forgot it')).to.deep.include({ kind: 'answer', intent: 'forgotUsername' });
    expect(u.understand('my password, forgot it')).to.deep.include({ kind: 'answer', intent: 'forgotPassword' });
    expect(u.understand("Don't need this anymore, cancel.")).to.deep.equal({ kind: 'command', intent: 'cancel' });
  });

  it('takes a story ending in a question about what the bot can do as a request for help, but not a story that only mentions help', () => {
    expect(u.understand("I'm trying to sort out my ESR before my shift. What can I ask you?")).to.deep.equal({ kind: 'command', intent: 'help' });
    expect(u.understand("My son's trying to help me get ESR on our home computer, but it won't take my details").kind).to.not.equal('command');
  });

  it('offers the question a message asks beside an ESR message it quotes, rather than only the flow for that message', () => {
    const result = outcomeOf(u, 'my remote login fails, it says you do not have internet access. How do I get that switched on?');
    expect(result.kind).to.equal('ask');
    expect((result as { labels: string[] }).labels).to.include('register');
  });

  it('reads "help" with something named as a question about that thing, not the help command', () => {
    const result = outcomeOf(u, 'password help');
    expect(result.kind).to.not.equal('answer');
    expect((result as { labels: string[] }).labels).to.include('forgotPassword');
    expect(u.understand('help')).to.deep.equal({ kind: 'command', intent: 'help' });
  });

  describe('takes something in ESR that is wrong, missing or out of date as a problem to report', () => {
    for (const text of ['my national insurance number on ESR is wrong', 'my job title in ESR has not been updated', 'my contract on ESR is wrong', 'the base location in my ESR record is wrong', 'my record has the wrong department on it', 'the job title on my ESR is incorrect', 'my assignment details in esr are out of date', 'I want to open a ticket about ESR']) {
      it(`"${text}" → report`, () => {
        expect(outcomeOf(u, text)).to.deep.equal({ kind: 'answer', label: 'report' });
      });
    }
    it('but not pay or other things that are wrong', () => {
      expect(outcomeOf(u, 'my pay is wrong')).to.not.deep.equal({ kind: 'answer', label: 'report' });
      expect(u.understand('my name badge is spelt wrong').kind).to.equal('none');
    });
  });

  it('gives little weight to names and codes it does not know, which say who is asking and not what', () => {
    expect(new TermPipeline({ synonyms: [], ignoredWords: [] }).nameStems('Hi, my manager Siobhan Adeyemi says. Please help')).to.deep.equal(new Set(['siobhan', 'adeyemi']));
    expect(outcomeOf(u, 'I am Marek Zielinski, HCA on ward C7, and I have forgotten my ESR password')).to.deep.equal({ kind: 'answer', label: 'forgotPassword' });
    expect(outcomeOf(u, 'I am a midwife on ward C7 and I have forgotten my ESR username')).to.deep.equal({ kind: 'answer', label: 'forgotUsername' });
  });

  it('does not answer with a common question whose answer text alone shares the message\'s words', () => {
    const top = u.rank('answers')[0];
    expect(top?.phrased).to.equal(false);
    expect(u.understand('answers').kind).to.equal('none');
  });

  it('hears a question of little words ("what is ESR") that ends a sentence of a longer message, and offers it', () => {
    const result = outcomeOf(u, 'I start on the wards next week. So what is ESR?');
    expect(result.kind).to.equal('ask');
    expect((result as { labels: string[] }).labels[0]).to.equal('faq:what-is-esr');
    expect(outcomeOf(u, 'what is my esr username')).to.deep.equal({ kind: 'answer', label: 'forgotUsername' });
  });

  it('holds a phrase whole only by the message\'s own words, not by a longer word one of them begins', () => {
    // "training" begins "trainee" (a contact phrase) but does not hold it.
    expect(u.rank('training').find((c) => c.intent === 'faq:contact')?.whole ?? false).to.equal(false);
  });

  it('gives little weight to contractions and month names, which say nothing of the subject', () => {
    expect(outcomeOf(u, "I didn't get my payslip for March")).to.deep.equal({ kind: 'answer', label: 'faq:payslips' });
    expect(outcomeOf(u, 'I have no idea what my password is')).to.deep.equal({ kind: 'answer', label: 'forgotPassword' });
  });

  it('takes help asked in many little words as the help command', () => {
    for (const text of ['what can you help me with', 'what can this bot do']) expect(u.understand(text), text).to.deep.equal({ kind: 'command', intent: 'help' });
  });

  it('cancels a story that ends or starts with cancelling, but not one that asks whether it can stop something', () => {
    expect(u.understand('I was going to ask about my payslip but found it myself in the end. Cancel that please.')).to.deep.equal({ kind: 'command', intent: 'cancel' });
    expect(u.understand('Found what I needed after all, cancel.')).to.deep.equal({ kind: 'command', intent: 'cancel' });
    expect(outcomeOf(u, 'too many ESR emails about my courses, can I stop them')).to.deep.equal({ kind: 'answer', label: 'faq:notifications' });
  });

  it('takes a sentence that is all a request for help as the help command when nothing else is understood, but not "help?" after a story', () => {
    expect(u.understand('A colleague sent me the link to this. What kind of things can you answer?')).to.deep.equal({ kind: 'command', intent: 'help' });
    expect(u.understand('My cat walked across the keyboard. Help?').kind).to.equal('none');
  });

  it('takes "thanks for your help" as thanks, not as asking for help', () => {
    for (const text of ['thanks for the help', 'cheers for your help']) expect(u.understand(text), text).to.deep.equal({ kind: 'command', intent: 'thanks' });
  });

  it('knows a message names ESR when a synonym has taken the word in ("ESR emails")', () => {
    expect(outcomeOf(u, 'My inbox is full of automated ESR emails, how do I stop them?')).to.deep.equal({ kind: 'answer', label: 'faq:notifications' });
  });

  it('keeps a command whose other words match only by typo tolerance ("great thanks")', () => {
    expect(u.understand('great thanks')).to.deep.equal({ kind: 'command', intent: 'thanks' });
  });

  it('counts different word orders and endings of one question as the same wording', () => {
    expect(u.keyOf('My account is LOCKED')).to.equal(u.keyOf('locked account, my'));
    expect(u.keyOf('when does the helpdesk open')).to.not.equal(u.keyOf('when does the helpdesk close'));
  });

  describe('scoring', () => {
    it('counts a question that offers every acceptable answer as right, and a wrong confident answer as wrong', () => {
      expect(judge({ kind: 'ask', labels: ['forgotPassword', 'forgotUsername', 'unlock'] }, ['forgotPassword', 'forgotUsername', 'unlock'])).to.equal('right');
      expect(judge({ kind: 'ask', labels: ['faq:contact', 'human'] }, ['faq:contact'])).to.equal('right');
      expect(judge({ kind: 'answer', label: 'human' }, ['faq:contact'])).to.equal('wrong');
      expect(judge({ kind: 'none' }, ['faq:contact'])).to.equal('notUnderstood');
      expect(judge({ kind: 'none' }, ['none'])).to.equal('right');
      expect(judge({ kind: 'answer', label: 'app' }, ['none'])).to.equal('wrong');
    });

    // Development files (tuned on): each guarded a little below what it measured after the fourth tuning round
    // (dev2 98.4% / 1.2%, retired-heldout 100% / 0%, retired-heldout2 96.0% / 2.2%, authored 97.9% / 1.2%).
    // Since the learned classifier (trained on every line of these files, content/examples.en-GB.jsonl), each is
    // guarded a little below what it measures with it; those figures are in-sample, and the honest one is
    // scripts/eval-understanding-split.ts. In-sample: dev3 92.3% / 1.8%, retired-heldout7 90.2% / 2.0%, retired-heldout6 96.2% / 0.5%.
    const developmentFiles: Array<[file: string, right: number, wrong: number]> = [
      ['tuning.en-GB.jsonl', 0.99, 0.01],
      ['dev.en-GB.jsonl', 0.99, 0.01],
      ['dev2.en-GB.jsonl', 0.98, 0.01],
      ['retired-heldout.en-GB.jsonl', 0.99, 0.01],
      // The second held-out set, retired on 2026-12-06 after its second scoring and then tuned on: 94.1% / 2.6%; 98.2% / 0.7% after the seventh round.
      ['retired-heldout2.en-GB.jsonl', 0.975, 0.01],
      // The third held-out set, retired on 2026-12-06 after its second scoring and then tuned on: 97.6% / 1.5%; 99.1% / 0.6% after the seventh round.
      ['retired-heldout3.en-GB.jsonl', 0.985, 0.01],
      // The fourth, retired on 2026-12-06 after its second scoring and then tuned on (fifth round): 94.5% / 2.5%; 94.8% / 2.2% after the sixth.
      ['retired-heldout4.en-GB.jsonl', 0.955, 0.015],
      // The fifth, retired on 2026-12-06 after its second scoring (95.2% right / 3.1% wrong); 95.8% / 2.5% after the sixth round, 97.2% / 2.3% after the seventh.
      ['retired-heldout5.en-GB.jsonl', 0.97, 0.015],
      // The sixth, retired on 2026-12-06 after its second scoring (90.4% right / 4.3% wrong); 94.4% / 2.3% after the seventh round.
      ['retired-heldout6.en-GB.jsonl', 0.945, 0.015],
      // The third development set, written blind from the guides: 82.4% / 8.1% before the seventh round, 88.8% / 5.3% after; 94.3% / 2.0% after the tenth round's vocabulary.
      ['dev3.en-GB.jsonl', 0.93, 0.03],
      // The seventh, retired on 2026-12-06 after its second scoring (86.5% right / 5.6% wrong), before tuning on it; 92.7% / 2.0% after the ninth round's vocabulary, 94.1% / 1.7% after the tenth's.
      ['retired-heldout7.en-GB.jsonl', 0.925, 0.03],
      // The eighth, retired on 2026-12-06 after its second scoring (91.8% right / 1.9% wrong), then trained on: 92.4% / 1.4%; 94.8% / 1.4% after the ninth round's vocabulary.
      ['retired-heldout8.en-GB.jsonl', 0.93, 0.025],
      // The fifth development set, written blind (short messages typed on a phone): 94.4% / 0.9% once trained on; 97.1% / 0.5% after the ninth round's vocabulary.
      ['dev5.en-GB.jsonl', 0.95, 0.015],
      // The fourth development set, written blind (long messages, the request inside a story): 75.6% / 4.1% before the ninth round;
      // 89.8% / 1.4% after it (its vocabulary, and a weak long message's sentences read one by one); 92.5% / 1.1% after the tenth round (code and vocabulary).
      ['dev4.en-GB.jsonl', 0.9, 0.025],
      // The ninth held-out set, retired on 2026-12-06 after its second scoring (93.4% right / 1.6% wrong), then trained on: 94.2% / 0.8%; 97.1% / 0.5% after the tenth round, 97.9% / 0.5% after the eleventh's vocabulary.
      ['retired-heldout9.en-GB.jsonl', 0.965, 0.015],
      // The sixth development set, written blind (situations described, two topics, asking for others): 87.0% / 4.2% before the tenth round;
      // 89.7% / 1.4% once trained on, 92.9% / 1.6% after the tenth round (odd lines, held back: 86.6% / 3.3% before, 87.0% / 4.7% after);
      // 93.5% / 1.1% after the eleventh round's vocabulary (odd lines 87.7% / 4.0% -> 88.0% / 2.9%).
      ['dev6.en-GB.jsonl', 0.92, 0.02],
      // The tenth held-out set, retired on 2026-12-06 after its second scoring (91.9% right / 1.8% wrong), then trained on: 92.4% / 1.3%; 94.5% / 1.3% after the eleventh round's vocabulary.
      ['retired-heldout10.en-GB.jsonl', 0.93, 0.02],
      // The seventh development set, written blind (many ways of describing one need, second-language English): 91.1% / 3.1% before the eleventh round, 92.4% / 1.8% once trained on, 95.2% / 1.3% after the eleventh round's vocabulary.
      ['dev7.en-GB.jsonl', 0.935, 0.02],
      // The eleventh held-out set, retired on 2026-12-06 after its second scoring (93.5% right / 2.4% wrong), then trained on: 93.7% / 2.1%; 94.2% / 2.1% after the twelfth round's vocabulary.
      ['retired-heldout11.en-GB.jsonl', 0.935, 0.03],
      // The eighth development set, written blind (the boundaries between answers, other systems in ESR's words, vague messages): 90.3% / 5.8% before the twelfth round;
      // 92.7% / 4.0% once trained on and after the twelfth round's vocabulary (other systems' locks, staffing apps, a feared lock).
      ['dev8.en-GB.jsonl', 0.915, 0.05],
      ['authored.en-GB.jsonl', 0.97, 0.02],
    ];
    for (const [file, right, wrong] of developmentFiles) {
      it(`gets at least ${100 * right}% of ${file} right and under ${100 * wrong}% wrong`, async () => {
        const report = evaluate(await readCases(fileURLToPath(new URL(`./${file}`, import.meta.url))), (text) => outcomeOf(u, text));
        expect(report.right / report.total, JSON.stringify(report.misses)).to.be.at.least(right);
        expect(report.wrong / report.total, JSON.stringify(report.confusions)).to.be.below(wrong);
      });
    }

    // The Welsh development files, guarded a little below what they measured after the sixth Welsh tuning round
    // (tuning 99.8% right / 0.2% wrong on 478 phrasings, tuning2 98.6% / 0.8% on 365, the retired Welsh held-out
    // sets 99.5% / 0.5%, 98.1% / 1.0% and 94.0% / 2.4%). Since the seventh, with the learned classifier trained on
    // every line of these files (content/examples.cy-GB.jsonl), each is guarded a little below what it measures
    // with it; those figures are in-sample (tuning2 99.5% / 0%, retired-heldout 100% / 0%, retired-heldout2 98.6% /
    // 0.5%), and the honest one is `npx tsx scripts/eval-understanding-split.ts -- --locale cy-GB`.
    const welshDevelopmentFiles: Array<[file: string, right: number, wrong: number]> = [
      ['tuning.cy-GB.jsonl', 0.97, 0.015],
      ['tuning2.cy-GB.jsonl', 0.98, 0.01],
      ['retired-heldout.cy-GB.jsonl', 0.985, 0.01],
      // 99.0% / 0% in-sample after the eighth Welsh round.
      ['retired-heldout2.cy-GB.jsonl', 0.975, 0.01],
      // The third Welsh held-out set, retired on 2026-12-06 after it was scored three times (last: 86.8% right /
      // 4.4% wrong); tuned on its even lines only in the sixth round, which took it to 94.0% / 2.4% (odd lines,
      // held back: 82.4% / 4.8% before, 89.6% / 3.2% after); 96.8% / 0.8% in-sample after the seventh.
      ['retired-heldout3.cy-GB.jsonl', 0.95, 0.02],
      // The fourth, retired on 2026-12-06 after its second scoring (91.8% right / 3.2% wrong); 96.8% / 0.7% in-sample after the seventh round,
      // 97.5% / 0.7% after the eighth.
      ['retired-heldout4.cy-GB.jsonl', 0.96, 0.015],
      // The third Welsh development set, written blind: 80.0% / 6.9% before the seventh Welsh round, 90.3% / 2.2% in-sample after,
      // 93.1% / 1.7% after the eighth.
      ['tuning3.cy-GB.jsonl', 0.91, 0.025],
      // The fifth, retired on 2026-12-06 after its second scoring (88.3% right / 4.3% wrong before the seventh Welsh round,
      // 93.6% / 2.1% after), then trained on: 94.0% / 1.8%; 96.1% / 1.4% after the eighth Welsh round.
      ['retired-heldout5.cy-GB.jsonl', 0.94, 0.025],
    ];
    for (const [file, right, wrong] of welshDevelopmentFiles) {
      it(`gets at least ${100 * right}% of ${file} right and under ${100 * wrong}% wrong, in Welsh`, async () => {
        const report = evaluate(await readCases(fileURLToPath(new URL(`./${file}`, import.meta.url))), (text) => outcomeOf(welsh, text));
        expect(report.right / report.total, JSON.stringify(report.misses)).to.be.at.least(right);
        expect(report.wrong / report.total, JSON.stringify(report.confusions)).to.be.below(wrong);
      });
    }

    // A guard against regressions only, never a target to tune on. The held-out file is the twelfth one (386
    // phrasings written blind from the guides on 2026-12-06; each earlier one, once scored twice, became a
    // development file). Its first scoring, before the twelfth tuning round: 96.9% right, 0.3% wrong. A margin of 3 points.
    it('keeps the held-out file at least as right as when it was measured, less a margin', async () => {
      const report = evaluate(await readCases(fileURLToPath(new URL('./heldout.en-GB.jsonl', import.meta.url))), (text) => outcomeOf(u, text));
      expect(report.right / report.total).to.be.at.least(0.939);
      expect(report.wrong / report.total).to.be.at.most(0.033);
    });

    // A second English held-out file, the thirteenth blind set (400 phrasings written blind on 2026-12-06, shuffled,
    // "realistic, not deliberately tricky"), kept beside the twelfth so the measure does not rest on one set. Its
    // first scoring, before the twelfth tuning round: 97.3% right, 0.8% wrong. A margin of 3 points.
    it('keeps the second held-out file at least as right as when it was measured, less a margin', async () => {
      const report = evaluate(await readCases(fileURLToPath(new URL('./heldout2.en-GB.jsonl', import.meta.url))), (text) => outcomeOf(u, text));
      expect(report.right / report.total).to.be.at.least(0.943);
      expect(report.wrong / report.total).to.be.at.most(0.038);
    });

    // The same for Welsh: the sixth Welsh held-out set (282 phrasings written blind from the guides on 2026-12-06),
    // first scored after the seventh Welsh tuning round: 92.9% right, 1.8% wrong. A margin of 3 points.
    it('keeps the Welsh held-out file at least as right as when it was measured, less a margin', async () => {
      const report = evaluate(await readCases(fileURLToPath(new URL('./heldout.cy-GB.jsonl', import.meta.url))), (text) => outcomeOf(welsh, text));
      expect(report.right / report.total).to.be.at.least(0.899);
      expect(report.wrong / report.total).to.be.at.most(0.048);
    });
  });
});
