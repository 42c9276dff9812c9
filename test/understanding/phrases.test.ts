// A phrase's alternatives ("forgot|lost password|pw") are multiplied out for the index, up to a limit; beyond it
// the phrase is indexed as loose words and never found whole. The content check lists such phrases.
import { expect } from 'chai';
import { loadContent } from '../../content/content.js';
import { loadFaq } from '../../content/faq.js';
import { LANGUAGES } from '../../content/language.js';
import { phrasesTooBroad, understandingSource } from '../../understanding/source.js';
import { expandPhrase, PHRASE_EXPANSION_LIMIT, phraseCombinations } from '../../understanding/text.js';

describe('phrases with alternatives', () => {
  it('counts the plain texts a phrase makes, one per choice of each word', () => {
    expect(phraseCombinations('forgot|lost password|pw')).to.equal(4);
    expect(phraseCombinations('my esr app')).to.equal(1);
    expect(expandPhrase('forgot|lost password|pw')).to.deep.equal(['forgot password', 'forgot pw', 'lost password', 'lost pw']);
  });

  it(`keeps a phrase of more than ${PHRASE_EXPANSION_LIMIT} combinations as loose words, and lists it as too broad`, async () => {
    const broad = 'a|b|c|d e|f|g|h i|j|k|l m|n';
    expect(phraseCombinations(broad)).to.equal(128);
    expect(expandPhrase(broad)).to.have.length(1);
    const source = understandingSource(await loadContent({ locale: 'en-GB' }), await loadFaq('en-GB'));
    expect(phrasesTooBroad({ ...source, offTopic: [...(source.offTopic ?? []), broad] })).to.deep.equal([broad]);
  });

  for (const language of LANGUAGES) {
    it(`ships no phrase too broad to be found whole, in ${language}`, async () => {
      expect(phrasesTooBroad(understandingSource(await loadContent({ locale: language }), await loadFaq(language)))).to.deep.equal([]);
    });
  }
});
