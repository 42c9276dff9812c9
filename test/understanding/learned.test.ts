// The learned classifier that gives retrieval a second opinion: trained from labelled phrasings, deterministic,
// and joined to retrieval so that it turns an answer it disagrees with into a question, settles a question it is
// sure of, or offers first a choice retrieval missed.
import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { loadContent } from '../../content/content.js';
import { examplesFile, loadExamples } from '../../content/examples.js';
import { DEVELOPMENT_FILES, examplesText, WELSH_DEVELOPMENT_FILES } from '../../scripts/developmentFiles.js';
import { loadFaq } from '../../content/faq.js';
import { outcomeOf } from '../../understanding/classify.js';
import { LearnedClassifier, type LabelledText } from '../../understanding/learned.js';
import { understandingSource } from '../../understanding/source.js';
import { TermPipeline } from '../../understanding/text.js';
import { Understander } from '../../understanding/understander.js';

const pipeline = new TermPipeline({ synonyms: ['password: pw'], ignoredWords: ['my', 'i', 'the', 'a', 'to', 'is', 'how', 'do', 'can', 'in'] });
const examples: LabelledText[] = [
  { text: 'forgot my password', label: 'forgotPassword' },
  { text: 'reset my password please', label: 'forgotPassword' },
  { text: 'cannot remember the password', label: 'forgotPassword' },
  { text: 'my account is locked', label: 'unlock' },
  { text: 'locked out of my account', label: 'unlock' },
  { text: 'unlock the account', label: 'unlock' },
  { text: 'where do I park', label: 'none' },
  { text: 'car parking permit', label: 'none' },
];

describe('the learned classifier', () => {
  it('gives each trained example its own label', () => {
    const c = new LearnedClassifier(pipeline, examples);
    for (const e of examples) expect(c.classify(e.text)?.label, e.text).to.equal(e.label);
  });

  it('is deterministic: trained twice on the same examples, it gives the same label and confidence', () => {
    const [a, b] = [new LearnedClassifier(pipeline, examples), new LearnedClassifier(pipeline, examples)];
    for (const text of ['i forgot my pw', 'account locked again', 'parking at the hospital']) expect(a.classify(text)).to.deep.equal(b.classify(text));
  });

  it('classifies a wording it never saw by the words it shares with the examples', () => {
    const c = new LearnedClassifier(pipeline, examples);
    expect(c.classify('i have forgotten the pw')?.label).to.equal('forgotPassword');
    expect(c.classify('is my account locked?')?.label).to.equal('unlock');
  });

  it('learns "none" from its examples, and has no opinion on words it never saw', () => {
    const c = new LearnedClassifier(pipeline, examples);
    expect(c.classify('is there parking for staff')?.label).to.equal('none');
    expect(c.classify('purple elephant')).to.equal(undefined);
  });

  it('gives each label it was taught a chance, the winner\'s being its confidence', () => {
    const opinion = new LearnedClassifier(pipeline, examples).classify('forgot password')!;
    expect([...opinion.chances.keys()]).to.have.members(['forgotPassword', 'unlock', 'none']);
    expect(opinion.chances.get(opinion.label)).to.equal(opinion.confidence);
    expect(opinion.chances.get('unlock')).to.be.greaterThan(0).and.below(opinion.confidence);
  });

  it('gives a confidence between 0 and 1', () => {
    const confidence = new LearnedClassifier(pipeline, examples).classify('forgot password')!.confidence;
    expect(confidence).to.be.greaterThan(0).and.at.most(1);
  });
});

describe('understanding with the learned classifier', () => {
  let withClassifier: Understander;
  let retrievalOnly: Understander;
  before(async () => {
    const source = understandingSource(await loadContent({ locale: 'en-GB' }), await loadFaq('en-GB'));
    withClassifier = new Understander(source);
    const { examples: _examples, ...retrieval } = source;
    retrievalOnly = new Understander(retrieval);
  });

  it('is trained from the shipped examples, in English and in Welsh', () => {
    expect(loadExamples('en-GB').length).to.be.greaterThan(1000);
    expect(loadExamples('cy-GB').length).to.be.greaterThan(1000);
  });

  it('asks between its answer and retrieval\'s when they differ, rather than guessing', () => {
    expect(outcomeOf(retrievalOnly, 'how do I see which of my training is out of date')).to.deep.equal({ kind: 'answer', label: 'report' });
    expect(outcomeOf(withClassifier, 'how do I see which of my training is out of date')).to.deep.equal({ kind: 'ask', labels: ['report', 'faq:training'] });
  });

  it('asks between an answer and a close runner-up holding one of its phrases whole, when it thinks the runner-up likely', () => {
    const text = 'my fire safety training says overdue but I did it last week';
    expect(outcomeOf(retrievalOnly, text)).to.deep.equal({ kind: 'answer', label: 'faq:training' });
    expect(outcomeOf(withClassifier, text)).to.deep.equal({ kind: 'ask', labels: ['faq:training', 'report'] });
  });

  it('answers one of a question\'s choices when it is all but certain of it', () => {
    expect(outcomeOf(retrievalOnly, 'cant get on esr at home only works at work')).to.deep.equal({ kind: 'ask', labels: ['register', 'report', 'forgotPassword'] });
    expect(outcomeOf(withClassifier, 'cant get on esr at home only works at work')).to.deep.equal({ kind: 'answer', label: 'register' });
  });

  it('offers first a choice retrieval missed', () => {
    expect(outcomeOf(retrievalOnly, "i'm new")).to.deep.equal({ kind: 'ask', labels: ['forgotPassword', 'forgotUsername', 'passwordRules'] });
    expect(outcomeOf(withClassifier, "i'm new")).to.deep.equal({ kind: 'ask', labels: ['faq:new-starter', 'forgotPassword', 'forgotUsername'] });
  });

  it('gives its second opinion in Welsh too, from the Welsh examples', async () => {
    const source = understandingSource(await loadContent({ locale: 'cy-GB' }), await loadFaq('cy-GB'));
    const { examples: _examples, ...retrieval } = source;
    const [welsh, welshRetrieval] = [new Understander(source), new Understander(retrieval)];
    expect(outcomeOf(welshRetrieval, 'methu mewngofnodi ar yr ap')).to.deep.equal({ kind: 'ask', labels: ['app', 'forgotPassword'] });
    expect(outcomeOf(welsh, 'methu mewngofnodi ar yr ap')).to.deep.equal({ kind: 'answer', label: 'app' });
    expect(outcomeOf(welshRetrieval, 'dwi di anghofio fy manylion mewngofnodi')).to.deep.equal({ kind: 'answer', label: 'forgotUsername' });
    expect(outcomeOf(welsh, 'dwi di anghofio fy manylion mewngofnodi')).to.deep.equal({ kind: 'ask', labels: ['forgotUsername', 'forgotPassword'] });
  });

  it('leaves a common question with no examples yet (one an admin has just added) to retrieval', async () => {
    const faq = await loadFaq('en-GB');
    const added = { entries: [...faq.entries, { id: 'lanyards', title: 'Lanyard colours', answer: 'Staff wear blue lanyards.', phrases: ['lanyard colour', 'what colour lanyard'] }] };
    const u = new Understander(understandingSource(await loadContent({ locale: 'en-GB' }), added));
    for (const text of ['what colour lanyard do I wear', 'lanyard colours for ESR staff']) expect(outcomeOf(u, text), text).to.deep.equal({ kind: 'answer', label: 'faq:lanyards' });
  });

  it('leaves commands, pasted ESR messages and fallbacks as retrieval has them', () => {
    for (const text of ['help', 'cancel', 'hello', 'thank you', 'My ESR says invalid username or password', 'the link has expired', 'where can I park my car', 'purple elephant']) {
      expect(withClassifier.understand(text), text).to.deep.equal(retrievalOnly.understand(text));
    }
  });

  describe('the shipped examples', () => {
    it('are made from the development files as they stand, so a file edited without running scripts/make-examples.ts is caught', async () => {
      expect(await readFile(examplesFile('en-GB'), 'utf8')).to.equal(await examplesText('en-GB'));
    });

    it('are made from the Welsh development files as they stand, in Welsh too', async () => {
      expect(await readFile(examplesFile('cy-GB'), 'utf8')).to.equal(await examplesText('cy-GB'));
    });

    it('never come from a held-out file, which measures and is never learned from', () => {
      expect([...DEVELOPMENT_FILES, ...WELSH_DEVELOPMENT_FILES].filter((f) => f.startsWith('heldout'))).to.deep.equal([]);
    });
  });
});
