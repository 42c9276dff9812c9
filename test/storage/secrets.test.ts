// The bot's own secrets: a file in DATA_DIR (embedded), or one row every instance shares (PostgreSQL).
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { PgSecretStore } from '../../storage/postgres/pgSecretStore.js';
import { FileSecretStore } from '../../storage/secrets.js';
import { usePostgres } from '../support/postgres.js';

describe('the bot\'s secrets', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'esr-secrets-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  describe('as files', () => {
    it('makes a 32-byte secret once, in <name>.key readable by this user only, and gives the same one after', async () => {
      const made = await new FileSecretStore(dir).secret('signing');
      expect(made).to.have.length(32);
      expect((await stat(join(dir, 'signing.key'))).mode & 0o777).to.equal(0o600);
      expect(await readFile(join(dir, 'signing.key'), 'utf8')).to.equal(made.toString('base64url'));
      expect((await new FileSecretStore(dir).secret('signing')).equals(made), 'read back by a new store').to.equal(true);
    });

    it('refuses a name that could leave the folder', async () => {
      const error = await new FileSecretStore(dir).secret('../signing').then(() => undefined, (e: Error) => e);
      expect(error?.message).to.contain('Not a secret');
    });
  });

  describe('in PostgreSQL', function () {
    this.timeout(30_000);
    const db = usePostgres();
    afterEach(() => db().truncate());

    it('gives two instances starting at once the same secret', async () => {
      const [a, b] = await Promise.all([new PgSecretStore(db().pool).secret('signing'), new PgSecretStore(db().otherPool).secret('signing')]);
      expect(a).to.have.length(32);
      expect(a.equals(b)).to.equal(true);
      expect((await new PgSecretStore(db().pool).secret('signing')).equals(a), 'asked again').to.equal(true);
    });

    it('keeps the embedded key of the first instance to move to the database, so links already sent still open', async () => {
      await writeFile(join(dir, 'signing.key'), Buffer.alloc(32, 7).toString('base64url'));
      const files = new FileSecretStore(dir);
      const kept = await new PgSecretStore(db().pool, (name) => files.existing(name)).secret('signing');
      expect(kept.equals(Buffer.alloc(32, 7))).to.equal(true);
      expect((await new PgSecretStore(db().otherPool).secret('signing')).equals(kept), 'another instance, with no file').to.equal(true);
    });
  });
});
