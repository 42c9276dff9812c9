// Which channel gets which tickets: the "use this channel for ..." command, and the order in which the
// scopes are tried (README "Organisations").
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { parseUseChannel, QueueRegistry, type QueueScope } from '../../bot/queues.js';

describe('the agents\' channels', () => {
  describe('reading "use this channel for ..."', () => {
    const cases: Array<[string, QueueScope | undefined]> = [
      ['use this channel for organisation 242', { kind: 'organisation', code: '242' }],
      ['Use this channel for the organisation 242.', { kind: 'organisation', code: '242' }],
      ['use this channel for organization code 301', { kind: 'organisation', code: '301' }],
      ['use this channel for org 241', { kind: 'organisation', code: '241' }],
      ['use this channel', { kind: 'all' }],
      ['use this channel for admin tasks', { kind: 'tasks' }],
      ['use this channel for payslip', { kind: 'category', category: 'payslip' }],
      ['use this channel for lead employer doctors', { kind: 'staffGroup', group: 'lead_employer_doctor' }],
      ['use this channel for organisation 2421', undefined],
    ];
    for (const [text, scope] of cases) {
      it(`reads "${text}" as ${scope ? JSON.stringify(scope) : 'not the command'}`, () => {
        expect(parseUseChannel(text)).to.deep.equal(scope);
      });
    }
  });

  describe('routing', () => {
    let dir: string;
    let queues: QueueRegistry;
    const use = (channelId: string, scope: QueueScope) => queues.use({ reference: {}, channelId, at: '2026-01-05T10:00:00Z' }, scope);
    const channelOf = (q: { channelId: string } | undefined) => q?.channelId;

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'esr-queues-'));
      queues = await QueueRegistry.open(dir);
      await use('general', { kind: 'all' });
      await use('wigan', { kind: 'organisation', code: '242' });
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('sends an organisation\'s tickets to its channel rather than the general one, and others to the general one', () => {
      expect(channelOf(queues.route({ category: 'login', organisationCode: '242' }))).to.equal('wigan');
      expect(channelOf(queues.route({ category: 'login', organisationCode: '241' }))).to.equal('general');
      expect(channelOf(queues.route({ category: 'login' }))).to.equal('general');
    });

    it('lets staff-group and category channels win over the organisation\'s for tickets', async () => {
      await use('lead', { kind: 'staffGroup', group: 'lead_employer_doctor' });
      await use('pay', { kind: 'category', category: 'payslip' });
      expect(channelOf(queues.route({ category: 'login', staffGroup: 'lead_employer_doctor', organisationCode: '242' }))).to.equal('lead');
      expect(channelOf(queues.route({ category: 'payslip', organisationCode: '242' }))).to.equal('pay');
    });

    it('sends an organisation\'s admin tasks to its channel before the admin tasks channel', async () => {
      await use('tasks', { kind: 'tasks' });
      expect(channelOf(queues.routeTask({ organisationCode: '242' }))).to.equal('wigan');
      expect(channelOf(queues.routeTask({ organisationCode: '241' }))).to.equal('tasks');
      expect(channelOf(queues.routeTask())).to.equal('tasks');
    });

    it('keeps the organisation routes across a restart', async () => {
      const reopened = await QueueRegistry.open(dir);
      expect(channelOf(reopened.route({ category: 'other', organisationCode: '242' }))).to.equal('wigan');
    });
  });
});
