// The pool factory reads sslmode from DATABASE_URL itself, so what the URL says is what happens.
import { expect } from 'chai';
import { describeDatabaseUrl, sslFromUrl } from '../../../storage/postgres/pool.js';

describe('the PostgreSQL pool settings', () => {
  const cases: Array<[mode: string, ssl: ReturnType<typeof sslFromUrl>['ssl']]> = [
    ['', false],
    ['?sslmode=disable', false],
    ['?sslmode=prefer', false],
    ['?sslmode=require', { rejectUnauthorized: true }],
    ['?sslmode=verify-full', { rejectUnauthorized: true }],
    ['?sslmode=no-verify', { rejectUnauthorized: false }],
  ];
  for (const [query, ssl] of cases) {
    it(`connects ${ssl === false ? 'without TLS' : ssl.rejectUnauthorized ? 'with TLS, checking the certificate,' : 'with TLS, not checking the certificate,'} for "${query || 'no sslmode'}"`, () => {
      const result = sslFromUrl(`postgres://bot:secret@db.example:5432/esr${query}`);
      expect(result.ssl).to.deep.equal(ssl);
      expect(result.connectionString).not.to.contain('sslmode');
    });
  }

  it('keeps the other parameters of the URL, and refuses an sslmode it does not know', () => {
    expect(sslFromUrl('postgres://db.example/esr?sslmode=require&application_name=x').connectionString).to.equal('postgres://db.example/esr?application_name=x');
    expect(() => sslFromUrl('postgres://db.example/esr?sslmode=maybe')).to.throw('sslmode=maybe');
  });

  it('hides the password when describing the URL', () => {
    expect(describeDatabaseUrl('postgres://bot:secret@db.example:5432/esr')).to.equal('postgres://bot:***@db.example:5432/esr');
  });
});
