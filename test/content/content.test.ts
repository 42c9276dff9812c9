// The content layer: the shipped words load; a Trust's override file changes only what it names, and a
// mistake in it stops start-up with the file and the key.
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { trustValues } from '../../bot/app.js';
import { loadConfig } from '../../bot/config.js';
import { ContentError, GLOBAL_PLACEHOLDERS, SHIPPED_DIR, loadContent, type Content } from '../../content/content.js';

const GLOBALS = trustValues(loadConfig({}));

/** Every text in a content tree, with its dotted key. */
function texts(node: unknown, path = ''): Array<[key: string, text: string]> {
  if (typeof node === 'string') return [[path, node]];
  if (Array.isArray(node)) return node.flatMap((n, i) => texts(n, `${path}[${i}]`));
  if (node && typeof node === 'object') return Object.entries(node).flatMap(([k, v]) => texts(v, path ? `${path}.${k}` : k));
  return [];
}

async function contentError(promise: Promise<unknown>): Promise<ContentError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(ContentError);
    return error as ContentError;
  }
  throw new Error('expected a ContentError');
}

describe('the content layer', () => {
  describe('with the shipped files', () => {
    let content: Content;
    let shipped: unknown;
    before(async () => {
      content = await loadContent({ locale: 'en-GB', globals: GLOBALS });
      shipped = JSON.parse(await readFile(join(SHIPPED_DIR, 'en-GB.json'), 'utf8')) as unknown;
    });

    it('loads en-GB and answers texts and lists by key', () => {
      expect(content.locale).to.equal('en-GB');
      expect(content.t('menu.title')).to.equal('What do you need help with?');
      expect(content.list('password.rules', { minLength: 12, historySize: 4 })[0]).to.match(/^At least 12 characters/);
    });

    it('fills placeholders from the call first, then from the Trust-wide values', () => {
      expect(content.t('cancel.done', { flowName: 'resetting your password' })).to.equal("OK, I've stopped resetting your password. Type **menu** whenever you need me.");
      expect(content.fill('{trustName}: {x}', { x: 'y' })).to.equal(`${GLOBALS.trustName}: y`);
      expect(content.fill('{orgCode}', { orgCode: '999' })).to.equal('999');
    });

    it('leaves a placeholder nobody fills as it is, so it is easy to spot', () => {
      expect(content.fill('Hello {nobody}')).to.equal('Hello {nobody}');
    });

    it('is given a value for every Trust-wide placeholder by the app', () => {
      for (const name of GLOBAL_PLACEHOLDERS) expect(GLOBALS[name], name).to.be.a('string').and.not.equal('');
    });

    it('fills every Trust-wide placeholder used anywhere in en-GB.json', () => {
      const used = new Set<string>();
      for (const [key, text] of texts(shipped)) {
        const globalsHere = [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).filter((p) => GLOBAL_PLACEHOLDERS.includes(p));
        globalsHere.forEach((p) => used.add(p));
        const filled = content.fill(text);
        for (const p of globalsHere) expect(filled, key).to.not.contain(`{${p}}`);
      }
      expect(used.size, 'en-GB.json uses some Trust-wide placeholders').to.be.greaterThan(0);
    });

    it('gives a whole section as a copy the caller cannot change', () => {
      const intents = content.section('intents') as Record<string, string[]>;
      intents.help!.push('changed');
      expect((content.section('intents') as Record<string, string[]>).help).to.not.include('changed');
    });

    it('throws for a key that has no text', () => {
      expect(() => content.t('menu' as never)).to.throw('No text at "menu"');
    });
  });

  describe('with an override file in DATA_DIR/content', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'esr-content-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    const override = async (json: unknown) => {
      const file = join(dir, 'en-GB.json');
      await writeFile(file, typeof json === 'string' ? json : JSON.stringify(json));
      return file;
    };

    it('is optional: with no file there, the shipped text is used', async () => {
      const content = await loadContent({ locale: 'en-GB', overrideDir: dir });
      expect(content.t('menu.title')).to.equal('What do you need help with?');
    });

    it('replaces only the texts it names', async () => {
      const shipped = await loadContent({ locale: 'en-GB' });
      await override({ menu: { title: 'How can we help?' }, password: { rules: ['At least {minLength} characters.'] } });
      const content = await loadContent({ locale: 'en-GB', overrideDir: dir });
      expect(content.t('menu.title')).to.equal('How can we help?');
      expect(content.list('password.rules', { minLength: 12 })).to.deep.equal(['At least 12 characters.']);
      expect(content.t('menu.fallback')).to.equal(shipped.t('menu.fallback'));
      expect(content.t('menu.flows.register.label')).to.equal(shipped.t('menu.flows.register.label'));
      expect(content.section('intents')).to.deep.equal(shipped.section('intents'));
    });

    it('may use Trust-wide placeholders anywhere', async () => {
      await override({ menu: { title: 'How can {trustName} help?' } });
      const content = await loadContent({ locale: 'en-GB', overrideDir: dir, globals: { trustName: 'Bolton' } });
      expect(content.t('menu.title')).to.equal('How can Bolton help?');
    });

    describe('is refused with a ContentError naming the file and the key when it has', () => {
      const cases: Array<[problem: string, json: unknown, key: string]> = [
        ['an unknown key', { menu: { titel: 'Typo' } }, 'menu.titel'],
        ['an unknown group', { menus: { title: 'Typo' } }, 'menus'],
        ['an object where text is expected', { menu: { title: { text: 'Hello' } } }, 'menu.title'],
        ['a list where text is expected', { menu: { title: ['Hello'] } }, 'menu.title'],
        ['text where a group is expected', { menu: 'Hello' }, 'menu'],
        ['text where a list is expected', { password: { rules: 'Be long' } }, 'password.rules'],
        ['an empty text', { menu: { title: '   ' } }, 'menu.title'],
        ['an empty text in a list', { password: { rules: ['fine', ''] } }, 'password.rules'],
        ['a placeholder the code does not fill there', { cancel: { done: 'Stopped {flow}.' } }, 'cancel.done'],
      ];
      for (const [problem, json, key] of cases) {
        it(problem, async () => {
          const file = await override(json);
          const error = await contentError(loadContent({ locale: 'en-GB', overrideDir: dir }));
          expect(error.message).to.contain(file).and.contain(key);
        });
      }

      it('several problems, all listed at once', async () => {
        const file = await override({ menu: { titel: 'x', fallback: '' } });
        const error = await contentError(loadContent({ locale: 'en-GB', overrideDir: dir }));
        expect(error.message).to.contain(file).and.contain('menu.titel').and.contain('menu.fallback');
      });
    });

    it('is refused, naming the file, when it is not valid JSON', async () => {
      const file = await override('{ "menu": { "title": "unfinished" ');
      const error = await contentError(loadContent({ locale: 'en-GB', overrideDir: dir }));
      expect(error.message).to.contain(file).and.contain('not valid JSON');
    });
  });

  it('refuses a locale with no shipped file, naming the file', async () => {
    const error = await contentError(loadContent({ locale: 'xx-XX' }));
    expect(error.message).to.contain(join(SHIPPED_DIR, 'xx-XX.json'));
  });
});
