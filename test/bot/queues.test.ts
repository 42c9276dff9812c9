// Which channel gets which tickets: the "use this channel for ..." command. The order in which the scopes
// are tried is the QueueRegistry contract's (test/contracts/queueRegistry.contract.ts), for every store.
import { expect } from 'chai';
import { parseUseChannel, type QueueScope } from '../../bot/queues.js';

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
});
