// Lint config: typescript-eslint's type-aware recommended rules over the whole project.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const TEAMS = ['botbuilder', 'botbuilder-*', 'botframework-*', '@microsoft/teams-js'];
const HTTP = ['restify'];
const ENGINES = ['lowdb', 'lowdb/*', 'pg', 'pg-*'];
/** Files are storage's business (storage/ implements the ports), not the domain's. */
const FILES = ['fs', 'fs/*', 'node:fs', 'node:fs/*'];
/** Import patterns for project folders, from anywhere below the root. */
/** @param {...string} dirs */
const up = (...dirs) => dirs.flatMap((d) => [`../${d}/*`, `../../${d}/*`, `../../../${d}/*`]);
/**
 * A no-restricted-imports rule for some folders; `allowTypes` lets type-only imports through (a Config type, say).
 * @param {string[]} files
 * @param {string} message
 * @param {string[]} patterns
 * @param {boolean} [allowTypes]
 */
function layer(files, message, patterns, allowTypes = false) {
  return [{ files, rules: { 'no-restricted-imports': ['error', { patterns: [{ group: patterns, message: `${message} this (see README "Architecture").`, allowTypeImports: allowTypes }] }] } }];
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'build/**', 'dist/**', 'devTools/**', 'coverage/**', '.*'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  // The direction of every dependency (README "Architecture"): the domain (esr/, tickets/) knows nothing of
  // Teams, HTTP, storage engines or files; storage and mail implement the domain's ports; dialogs and cards know
  // botbuilder but not the server; only bot/ (the Teams runtime and composition root) sees everything.
  // The shared core (clock, background tasks, locks, audit) sits below the domain: it imports nothing of ours.
  ...layer(['core/**/*.ts'], 'core/ (what esr/ and tickets/ share) must not depend on', [...TEAMS, ...HTTP, ...ENGINES, ...FILES, ...up('esr', 'tickets', 'state', 'bot', 'dialogs', 'cards', 'web', 'storage', 'mail', 'understanding', 'content')]),
  ...layer(['esr/**/*.ts', 'tickets/**/*.ts'], 'the domain (esr/, tickets/) must not depend on', [...TEAMS, ...HTTP, ...ENGINES, ...FILES, ...up('bot', 'dialogs', 'cards', 'web', 'storage', 'mail', 'understanding')]),
  // The bot-state port sits apart from bot/ and storage/ so both can import it: it imports neither.
  ...layer(['state/**/*.ts'], 'state/ (the bot-state port) must not depend on', [...TEAMS, ...HTTP, ...ENGINES, ...up('bot', 'dialogs', 'cards', 'web', 'storage', 'mail', 'understanding', 'content')]),
  ...layer(['storage/**/*.ts', 'mail/**/*.ts'], 'storage/ and mail/ implement the domain\'s ports and must not depend on', [...TEAMS, ...HTTP, ...up('dialogs', 'cards', 'web', 'bot')], true),
  ...layer(['understanding/**/*.ts', 'content/**/*.ts'], 'understanding/ and content/ must not depend on', [...TEAMS, ...HTTP, ...ENGINES, ...up('bot', 'web', 'storage', 'mail', 'cards')]),
  ...layer(['dialogs/**/*.ts', 'cards/**/*.ts'], 'dialogs/ and cards/ must not depend on', [...HTTP, ...ENGINES, ...up('bot', 'web', 'storage', 'mail')]),
  ...layer(['web/**/*.ts'], 'web/ (pages and their routes) must not depend on', [...TEAMS, ...ENGINES, ...up('storage')], true),
  {
    files: ['scripts/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    // Plain browser scripts served to the reset page: no types to check.
    files: ['web/static/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { parserOptions: { projectService: false, project: false, program: null }, globals: globals.browser, sourceType: 'script' },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // chai's expect(...).to.be.true style reads as an unused expression
      '@typescript-eslint/no-unused-expressions': 'off',
    },
  },
);
