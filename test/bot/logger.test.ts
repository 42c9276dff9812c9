// The JSON logs: secrets and personal data are never written, whatever shape they arrive in.
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { createLogger, type Logger } from '../../bot/logger.js';

function capturingLogger(level = 'debug'): { logger: Logger; lines: () => Array<Record<string, unknown>>; raw: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger(level, sink);
  const raw = () => chunks.join('');
  return {
    logger,
    raw,
    lines: () =>
      raw()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

function nested(depth: number, leaf: Record<string, unknown>): Record<string, unknown> {
  let node = leaf;
  for (let i = 0; i < depth; i++) node = { inner: node };
  return node;
}

describe('createLogger', () => {
  it('writes one JSON line per entry, with the level, time, app and message', () => {
    const { logger, lines } = capturingLogger();
    logger.info({ staff: 7 }, 'Reloaded the staff directory');
    expect(lines()).to.have.length(1);
    expect(lines()[0]).to.include({ level: 30, app: 'esr-helpdesk', staff: 7, msg: 'Reloaded the staff directory' });
    expect(lines()[0]!.time).to.be.a('string');
  });

  it('writes nothing below its level', () => {
    const { logger, lines } = capturingLogger('warn');
    logger.info('ignored');
    logger.warn('kept');
    expect(lines().map((l) => l.msg)).to.deep.equal(['kept']);
  });

  describe('writes "[redacted]" in place of', () => {
    const SECRET = 'S3cret-value-Do-Not-Log';
    const cases: Array<[what: string, fields: Record<string, unknown>, path: string[]]> = [
      ['a password', { password: SECRET }, ['password']],
      ['a new password from a card', { newPassword: SECRET }, ['newPassword']],
      ['a confirm password from a card', { form: { confirmPassword: SECRET } }, ['form', 'confirmPassword']],
      ['a password hash', { account: { passwordHash: SECRET } }, ['account', 'passwordHash']],
      ['a pwd', { pwd: SECRET }, ['pwd']],
      ['a client secret', { MicrosoftAppPassword: SECRET, clientSecret: SECRET }, ['clientSecret']],
      ['a reset token', { token: SECRET }, ['token']],
      ['an access token, nested', { auth: { accessToken: SECRET } }, ['auth', 'accessToken']],
      ['a date of birth', { dateOfBirth: '1985-03-14' }, ['dateOfBirth']],
      ['a date_of_birth', { staff: { date_of_birth: '1985-03-14' } }, ['staff', 'date_of_birth']],
      ['a dob', { dob: '1985-03-14' }, ['dob']],
      ['an Authorization header', { req: { headers: { Authorization: `Bearer ${SECRET}` } } }, ['req', 'headers', 'Authorization']],
      ['an authorization header in lower case', { headers: { authorization: `Bearer ${SECRET}` } }, ['headers', 'authorization']],
      ['a cookie', { headers: { cookie: SECRET } }, ['headers', 'cookie']],
      ['a card submission value', { activity: { type: 'message', value: { newPassword: SECRET, confirmPassword: SECRET } } }, ['activity', 'value']],
      ['a value inside a list', { activities: [{ text: 'hi' }, { value: { dateOfBirth: '1985-03-14' } }] }, ['activities', '1', 'value']],
      ['a password six levels down', nested(6, { password: SECRET }), ['inner', 'inner', 'inner', 'inner', 'inner', 'inner', 'password']],
    ];
    for (const [what, fields, path] of cases) {
      it(what, () => {
        const { logger, lines, raw } = capturingLogger();
        logger.info(fields, 'an event');
        let node: unknown = lines()[0];
        for (const key of path) node = (node as Record<string, unknown>)[key];
        expect(node).to.equal('[redacted]');
        expect(raw()).to.not.contain(SECRET);
        expect(raw()).to.not.contain('1985-03-14');
      });
    }

    it('a password nested deeper than it can follow (the whole branch goes)', () => {
      const { logger, raw } = capturingLogger();
      logger.info({ deep: nested(20, { password: SECRET }) }, 'deep');
      expect(raw()).to.not.contain(SECRET);
      expect(raw()).to.contain('[redacted]');
    });
  });

  it('keeps ordinary fields as they are, at any depth', () => {
    const { logger, lines } = capturingLogger();
    const fields = { username: '241JSMITH01', flow: 'forgotPassword', turn: { conversationId: 'a:1', attempts: 2, ok: true, tags: ['x', 'y'] }, nothing: null };
    logger.info(fields, 'kept');
    expect(lines()[0]).to.deep.include(fields);
  });

  it('serialises an error with its type and message, logged under err or on its own', () => {
    const { logger, lines } = capturingLogger();
    logger.error({ err: new TypeError('the store is unreadable') }, 'Background task failed');
    logger.error(new RangeError('out of range'), 'on its own');
    const [first, second] = lines() as Array<{ err: { type: string; message: string; stack: string } }>;
    expect(first!.err).to.include({ type: 'TypeError', message: 'the store is unreadable' });
    expect(first!.err.stack).to.contain('the store is unreadable');
    expect(second!.err).to.include({ type: 'RangeError', message: 'out of range' });
  });

  it('does not write secrets hung on an error object', () => {
    const { logger, raw } = capturingLogger();
    const error = Object.assign(new Error('request failed'), { config: { headers: { authorization: 'Bearer S3cret-value' } } });
    logger.error({ err: error }, 'failed');
    expect(raw()).to.contain('request failed');
    expect(raw()).to.not.contain('S3cret-value');
  });
});
