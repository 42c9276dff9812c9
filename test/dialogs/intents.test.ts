// Free text to intent, with the real phrase lists from content/en-GB.json (and the common questions
// from content/faq.en-GB.json, as the router uses them).
import { expect } from 'chai';
import { loadContent } from '../../content/content.js';
import { loadFaq } from '../../content/faq.js';
import { editDistanceAtMostOne, IntentRecogniser, routerRecogniser, tokenise, type IntentPhrases } from '../../dialogs/intents.js';

describe('intent recognition', () => {
  let phrases: IntentPhrases;
  let intents: IntentRecogniser;
  let router: IntentRecogniser;
  before(async () => {
    const content = await loadContent({ locale: 'en-GB' });
    phrases = content.section('intents') as IntentPhrases;
    intents = new IntentRecogniser(phrases);
    router = routerRecogniser(phrases, await loadFaq('en-GB'));
  });

  describe('sends what staff type to the right flow or command', () => {
    const cases: Array<[text: string, intent: string | undefined]> = [
      // forgotten password
      ['I forgot my password', 'forgotPassword'],
      ['forgotten my ESR password', 'forgotPassword'],
      ['reset password', 'forgotPassword'],
      ["my password isn't working", 'forgotPassword'],
      ['my password doesnt work', 'forgotPassword'],
      ['pasword reset', 'forgotPassword'],
      ['forgoten password', 'forgotPassword'],
      ["I can't remember my password", 'forgotPassword'],
      ['my password expired', 'forgotPassword'],
      ["I can't log in", 'forgotPassword'],
      // locked out
      ['account locked', 'unlock'],
      ["I'm locked out", 'unlock'],
      ['unlock my account', 'unlock'],
      ["I've been locked out of ESR", 'unlock'],
      ['too many attempts', 'unlock'],
      // username
      ["what's my username", 'forgotUsername'],
      ["I don't know my username", 'forgotUsername'],
      ['forgot username', 'forgotUsername'],
      ['what is my user name', 'forgotUsername'],
      ['usernmae', 'forgotUsername'],
      // ESR from home
      ['ESR from home', 'register'],
      ['how do I log in from home', 'register'],
      ['set up remote access', 'register'],
      ['register for internet access', 'register'],
      ['how do I register', 'register'],
      ['can I use ESR on my own laptop', 'register'],
      // the app
      ['install the app', 'app'],
      ['how do I get MyESR on my iPhone', 'app'],
      ['android app', 'app'],
      ['download the ESR app', 'app'],
      // reporting a problem
      ['report a problem', 'report'],
      ["I'm getting an error", 'report'],
      ["the page won't load", 'report'],
      ["it's broken", 'report'],
      // a person
      ['speak to someone', 'human'],
      ['can I talk to a person', 'human'],
      ['I want a human', 'human'],
      ["I'd like to talk to someone in the workforce team", 'human'],
      // password rules
      ['password rules', 'passwordRules'],
      ['how long does my password need to be', 'passwordRules'],
      ['what characters are allowed in a password', 'passwordRules'],
      // common questions, as a topic
      ['I have a question', 'faq'],
      ['FAQ', 'faq'],
      // commands
      ['help', 'help'],
      ['Help!!!', 'help'],
      ['what can you do', 'help'],
      ['cancel', 'cancel'],
      ['CANCEL', 'cancel'],
      ['never mind', 'cancel'],
      ['stop', 'cancel'],
      ['menu', 'menu'],
      ['  main menu  ', 'menu'],
      ['start again', 'menu'],
      ['hi', 'greeting'],
      ['good morning', 'greeting'],
      ['thanks', 'thanks'],
      ['thank you', 'thanks'],
      // a long sentence that says "help" is asking for a flow, not for the help text
      ['I need some help because I forgot my ESR password and cannot log in', 'forgotPassword'],
      ['can you help me unlock my account please', 'unlock'],
      // nothing we know
      ['banana', undefined],
      ["what's the weather like", undefined],
      ['', undefined],
      ['?!', undefined],
    ];
    for (const [text, intent] of cases) {
      it(`${JSON.stringify(text)} → ${intent ?? 'nothing'}`, () => {
        expect(intents.recognise(text)?.intent).to.equal(intent);
      });
    }
  });

  describe('with the common questions added, as the router hears it', () => {
    const cases: Array<[text: string, intent: string | undefined]> = [
      ['where is my payslip', 'faq:payslips'],
      ['I need help with my payslip please', 'faq:payslips'],
      ['mandatory training', 'faq:training'],
      ['how do I stop the notification emails', 'faq:notifications'],
      ['what are your opening hours', 'faq:office-hours'],
      ['which browser should I use', 'faq:browsers'],
      // the browsers answer is about pages that will not load, and offers "Report a problem" itself
      ["the page won't load", 'faq:browsers'],
      ['banana', undefined],
    ];
    for (const [text, intent] of cases) {
      it(`${JSON.stringify(text)} → ${intent ?? 'nothing'}`, () => {
        expect(router.recognise(text)?.intent).to.equal(intent);
      });
    }

    it('still sends the flow phrasings to their flows', () => {
      const flowPhrasings: Array<[string, string]> = [
        ['I forgot my password', 'forgotPassword'],
        ["I'm locked out", 'unlock'],
        ["what's my username", 'forgotUsername'],
        ['ESR from home', 'register'],
        ['install the app', 'app'],
        ["I'm getting an error", 'report'],
        ['speak to someone', 'human'],
        ['password rules', 'passwordRules'],
        ['help', 'help'],
        ['menu', 'menu'],
      ];
      for (const [text, intent] of flowPhrasings) expect(router.recognise(text)?.intent, text).to.equal(intent);
    });
  });

  it('sends each menu button label, typed or echoed back by Teams, to its flow', async () => {
    const content = await loadContent({ locale: 'en-GB' });
    const flows = ['register', 'forgotPassword', 'forgotUsername', 'unlock', 'passwordRules', 'app', 'faq', 'report', 'human'] as const;
    for (const flow of flows) expect(router.recognise(content.t(`menu.flows.${flow}.label`))?.intent, flow).to.equal(flow);
  });

  it('prefers the phrase with more words, and scores by the words matched', () => {
    const r = new IntentRecogniser({ short: ['password'], long: ['password rules'] });
    expect(r.recognise('password rules please')).to.deep.equal({ intent: 'long', score: 2 });
    expect(r.recognise('my password')).to.deep.equal({ intent: 'short', score: 1 });
  });

  it('on a tie, takes the phrase listed first', () => {
    const r = new IntentRecogniser({ first: ['account'], second: ['account'] });
    expect(r.recognise('account')?.intent).to.equal('first');
  });

  it('understands alternatives, word endings and any word order', () => {
    const r = new IntentRecogniser({ unlock: ['lock*|blocked account'] });
    expect(r.recognise('account locked')?.intent).to.equal('unlock');
    expect(r.recognise('my account is blocked')?.intent).to.equal('unlock');
    expect(r.recognise('account')).to.equal(undefined);
  });

  it('forgives one slip only in words of six letters or more', () => {
    const r = new IntentRecogniser({ password: ['password'], menu: ['menu'] });
    expect(r.recognise('passwrod')?.intent).to.equal('password');
    expect(r.recognise('mneu')).to.equal(undefined);
  });

  it('treats a command said in a long sentence as not that command', () => {
    const r = new IntentRecogniser({ help: ['help'] });
    expect(r.recognise('help me please')?.intent).to.equal('help');
    expect(r.recognise('I would like some help with something')).to.equal(undefined);
  });

  it('ignores keys starting with _ (the comment in the content file)', () => {
    expect(phrases._comment).to.be.a('string');
    expect(new IntentRecogniser({ _comment: ['banana'] as never }).recognise('banana')).to.equal(undefined);
  });
});

describe('tokenise', () => {
  const cases: Array<[text: string, tokens: string[]]> = [
    ['I forgot my password', ['i', 'forgot', 'my', 'password']],
    ["I'm locked out", ['im', 'locked', 'out']],
    ['I’m locked out (curly apostrophe)', ['im', 'locked', 'out', 'curly', 'apostrophe']],
    ['Help!!!', ['help']],
    ['  spaced   out  ', ['spaced', 'out']],
    ['e-learning, self-service', ['e-learning', 'self-service']],
    ['-leading and trailing-', ['leading', 'and', 'trailing']],
    ['241JSMITH01 login', ['241jsmith01', 'login']],
    ['ＰＡＳＳＷＯＲＤ', ['password']],
    ['Croeso i ESR, diolch', ['croeso', 'i', 'esr', 'diolch']],
    ['', []],
    ['?! ...', []],
  ];
  for (const [text, tokens] of cases) {
    it(`${JSON.stringify(text)} → ${JSON.stringify(tokens)}`, () => {
      expect(tokenise(text)).to.deep.equal(tokens);
    });
  }
});

describe('editDistanceAtMostOne', () => {
  const cases: Array<[a: string, b: string, expected: boolean, why: string]> = [
    ['password', 'password', true, 'the same word'],
    ['pasword', 'password', true, 'one letter missing'],
    ['passsword', 'password', true, 'one letter extra'],
    ['passwprd', 'password', true, 'one letter wrong'],
    ['passwrod', 'password', true, 'two neighbours swapped'],
    ['apssword', 'password', true, 'the first two swapped'],
    ['passwor', 'password', true, 'the last letter missing'],
    ['usernmae', 'username', true, 'neighbours swapped in username'],
    ['', 'a', true, 'one letter from nothing'],
    ['pswrd', 'password', false, 'three letters missing'],
    ['passwrdo', 'password', false, 'a letter moved two places'],
    ['pasward', 'password', false, 'two slips'],
    ['drowssap', 'password', false, 'reversed'],
    ['', 'ab', false, 'two letters from nothing'],
    ['abc', 'bca', false, 'rotated'],
  ];
  for (const [a, b, expected, why] of cases) {
    it(`is ${String(expected)} for ${JSON.stringify(a)} and ${JSON.stringify(b)} (${why}), either way round`, () => {
      expect(editDistanceAtMostOne(a, b)).to.equal(expected);
      expect(editDistanceAtMostOne(b, a)).to.equal(expected);
    });
  }
});
