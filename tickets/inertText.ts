// Text that staff typed, made inert before agents see it in a card or in a ticket's thread: Teams renders
// card TextBlocks and messages as (a subset of) CommonMark and turns links, mentions and some HTML live, so
// "[Open ESR securely](https://evil.example)" in a description would be a link in a card agents trust.
//
// The choice: a backslash before every character Markdown, HTML, mentions or a link detector acts on, at
// every place it appears (not only where it would do something), so the rule is easy to check and CommonMark
// shows each one exactly as typed. Escaping ":" and "." everywhere also breaks bare links
// ("https\://evil\.example", "www\.evil\.example", and an email address's domain), which Teams would
// otherwise linkify. Nothing invisible is added, so what an agent copies is what was typed plus, in
// clients that do not honour the escapes, visible backslashes: never a live link. Letters, digits, spaces
// and emoji are untouched.
const ACTIVE = /[\\`*_{}[\]()<>#+\-.!|~:&=]/g;

export function inertText(text: string): string {
  return (
    text
      // Indentation would make a code block, where backslashes show; the words matter, not the indent.
      .replace(/^[ \t]+/gm, '')
      .replace(ACTIVE, (ch) => `\\${ch}`)
  );
}
