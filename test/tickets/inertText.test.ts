// What staff type reaches agents as typed: no links, mentions, formatting or HTML of theirs. Each nasty input
// is run through a CommonMark renderer with link detection on (markdown-it, as strict as Teams or stricter),
// which must show exactly the typed text and nothing live.
import { expect } from 'chai';
import MarkdownIt from 'markdown-it';
import { inertText } from '../../tickets/inertText.js';

const markdown = new MarkdownIt({ html: true, linkify: true });

/** The rendered HTML's text, as a reader would see it, after checking nothing in it is live. */
function shownAsText(rendered: string): string {
  const tags = [...rendered.matchAll(/<\/?([a-z0-9]+)[^>]*>/gi)].map((m) => m[1]!.toLowerCase());
  expect(tags.filter((t) => t !== 'p' && t !== 'br'), rendered).to.deep.equal([]);
  return rendered
    .replace(/<\/?p>|<br>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .trim();
}

describe('inertText', () => {
  const nasty: Array<[what: string, typed: string]> = [
    ['a Markdown link', '[Open ESR securely](https://evil.example/phish)'],
    ['a bare https address', 'go to https://evil.example/phish now'],
    ['a bare www address', 'www.evil.example'],
    ['an autolink in angle brackets', '<https://evil.example>'],
    ['an email address', 'write to sam@evil.example'],
    ['an image', '![logo](https://evil.example/x.png)'],
    ['a reference link', '[here][1]\n\n[1]: https://evil.example'],
    ['a Teams mention', '<at>Sam</at> please look'],
    ['bold', '**bold**'],
    ['italic with underscores', '_x_'],
    ['italic with a star', '*x*'],
    ['strikethrough', '~~gone~~'],
    ['a heading', '# heading'],
    ['a setext heading', 'Title\n==='],
    ['a bullet list', '- one\n- two'],
    ['a numbered list', '1. one\n2. two'],
    ['a quote', '> quoted'],
    ['inline code', '`code`'],
    ['an indented code block', '    indented'],
    ['HTML', '<b>bold</b> <script>alert(1)</script>'],
    ['an HTML entity, shown as typed', 'Tom &amp; Jerry &lt;3'],
    ['a backslash already escaping', '\\*not bold\\*'],
    ['a template expression', '${toUpper(x)}'],
    ['a table row', '| a | b |'],
  ];

  describe('shows each of these exactly as typed, with nothing live', () => {
    for (const [what, typed] of nasty) {
      it(what, () => {
        const rendered = markdown.render(inertText(typed));
        // Indentation is dropped (it would make a code block); every other character stays.
        expect(shownAsText(rendered).replace(/\s+/g, ' ')).to.equal(typed.replace(/^[ \t]+/gm, '').replace(/\s+/g, ' ').trim());
      });
    }
  });

  it('breaks bare addresses for any link detector, by escaping every colon and dot', () => {
    expect(inertText('https://evil.example/phish')).to.equal('https\\://evil\\.example/phish');
    expect(inertText('www.evil.example')).to.equal('www\\.evil\\.example');
  });

  it('escapes mentions and HTML so Teams cannot read them as tags', () => {
    expect(inertText('<at>Sam</at>')).to.equal('\\<at\\>Sam\\</at\\>');
    expect(inertText('<b>x</b>')).to.equal('\\<b\\>x\\</b\\>');
    expect(inertText('&amp;')).to.equal('\\&amp;');
  });

  it('leaves letters, digits, spaces, other punctuation and emoji alone', () => {
    const plain = 'Hello, Alex 👋🏽 it says 500? Yes; 50% done (sort of) 🇬🇧 👨‍👩‍👧 Cymraeg: ŵ ŷ';
    expect(inertText('Hello, Alex 👋🏽 it says 500? Yes; 50% done 🇬🇧 👨‍👩‍👧 ŵ ŷ')).to.equal('Hello, Alex 👋🏽 it says 500? Yes; 50% done 🇬🇧 👨‍👩‍👧 ŵ ŷ');
    expect(shownAsText(markdown.render(inertText(plain)))).to.equal(plain);
  });

  it('keeps line breaks, so a description keeps its lines', () => {
    expect(inertText('first line\nsecond line')).to.equal('first line\nsecond line');
  });
});
