// The QueueRegistry promises (tickets/queues.ts), for every implementation: which agents' channel gets which
// tickets and tasks (README "Organisations"), and, where instances share one back end, that a channel chosen
// on one instance routes tickets on every other.
import { expect } from 'chai';
import type { Queue, QueueRegistry, QueueScope } from '../../tickets/queues.js';
import type { MakeSubject, Subject } from './subject.js';

const AT = '2026-01-05T10:00:00.000Z';
const reference = (channelId: string) => ({ channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/uk/', conversation: { id: channelId, isGroup: true }, bot: { id: '28:bot', name: 'ESR Helpdesk' } });
const channel = (channelId: string, more: Partial<Queue> = {}): Omit<Queue, 'id'> => ({ reference: reference(channelId), channelId, at: AT, ...more });
const channelOf = (q: Queue | undefined) => q?.channelId;

/** `shared`: instances of this store on the same back end see each other's choices (a database, not a file of one process's). */
export function queueRegistryContract(name: string, make: MakeSubject<QueueRegistry>, shared = false): void {
  describe(`${name} keeps the QueueRegistry contract`, () => {
    let s: Subject<QueueRegistry>;
    const use = (channelId: string, scope: QueueScope, registry = s.store) => registry.use(channel(channelId), scope);
    beforeEach(async () => (s = await make()));

    it('has no channel for anything until one is chosen', async () => {
      expect(await s.store.route({ category: 'login', organisationCode: '242' })).to.equal(undefined);
      expect(await s.store.routeTask({ organisationCode: '242' })).to.equal(undefined);
      expect(await s.store.get('q1')).to.equal(undefined);
      expect(await s.store.all()).to.deep.equal([]);
    });

    it('keeps a chosen channel as given, with an id to find it by, and lists channels in the order first chosen', async () => {
      const general = await s.store.use(channel('19:general@thread.tacv2', { teamId: '19:team@thread.tacv2', name: 'General', setBy: 'Priya Agent' }), { kind: 'all' });
      const pay = await use('19:pay@thread.tacv2', { kind: 'category', category: 'payslip' });
      expect(general).to.deep.equal({ id: general.id, ...channel('19:general@thread.tacv2', { teamId: '19:team@thread.tacv2', name: 'General', setBy: 'Priya Agent' }) });
      expect(general.id).to.not.equal(pay.id);
      expect(await s.store.get(general.id)).to.deep.equal(general);
      expect((await s.store.all()).map((q) => q.channelId)).to.deep.equal(['19:general@thread.tacv2', '19:pay@thread.tacv2']);
    });

    it('sends an organisation\'s tickets to its channel rather than the general one, and others to the general one', async () => {
      await use('general', { kind: 'all' });
      await use('wigan', { kind: 'organisation', code: '242' });
      expect(channelOf(await s.store.route({ category: 'login', organisationCode: '242' }))).to.equal('wigan');
      expect(channelOf(await s.store.route({ category: 'login', organisationCode: '241' }))).to.equal('general');
      expect(channelOf(await s.store.route({ category: 'login' }))).to.equal('general');
    });

    it('lets staff-group and category channels win over the organisation\'s for tickets', async () => {
      await use('general', { kind: 'all' });
      await use('wigan', { kind: 'organisation', code: '242' });
      await use('lead', { kind: 'staffGroup', group: 'lead_employer_doctor' });
      await use('pay', { kind: 'category', category: 'payslip' });
      expect(channelOf(await s.store.route({ category: 'login', staffGroup: 'lead_employer_doctor', organisationCode: '242' }))).to.equal('lead');
      expect(channelOf(await s.store.route({ category: 'payslip', staffGroup: 'lead_employer_doctor', organisationCode: '242' }))).to.equal('lead');
      expect(channelOf(await s.store.route({ category: 'payslip', staffGroup: 'bank', organisationCode: '242' }))).to.equal('pay');
      expect(channelOf(await s.store.route({ category: 'login', staffGroup: 'bank', organisationCode: '242' }))).to.equal('wigan');
    });

    it('sends an organisation\'s admin tasks to its channel before the admin tasks channel, then the general one', async () => {
      await use('general', { kind: 'all' });
      expect(channelOf(await s.store.routeTask())).to.equal('general');
      await use('wigan', { kind: 'organisation', code: '242' });
      await use('tasks', { kind: 'tasks' });
      expect(channelOf(await s.store.routeTask({ organisationCode: '242' }))).to.equal('wigan');
      expect(channelOf(await s.store.routeTask({ organisationCode: '241' }))).to.equal('tasks');
      expect(channelOf(await s.store.routeTask())).to.equal('tasks');
      // The admin tasks channel takes tasks, not tickets.
      expect(channelOf(await s.store.route({ category: 'login' }))).to.equal('general');
    });

    it('keeps one entry for a channel chosen again: its id, its new details, and every scope it was given', async () => {
      const first = await use('19:desk@thread.tacv2', { kind: 'all' });
      await use('19:other@thread.tacv2', { kind: 'tasks' });
      const again = await s.store.use(channel('19:desk@thread.tacv2', { name: 'Service desk', setBy: 'Sam Agent', at: '2026-01-06T09:00:00.000Z' }), { kind: 'tasks' });
      expect(again).to.deep.equal({ id: first.id, ...channel('19:desk@thread.tacv2', { name: 'Service desk', setBy: 'Sam Agent', at: '2026-01-06T09:00:00.000Z' }) });
      expect(await s.store.all()).to.have.length(2);
      expect(await s.store.routeTask()).to.deep.equal(again);
      expect(await s.store.route({ category: 'other' })).to.deep.equal(again);
    });

    it('moves a scope to the channel chosen for it last', async () => {
      await use('old', { kind: 'category', category: 'training' });
      await use('new', { kind: 'category', category: 'training' });
      expect(channelOf(await s.store.route({ category: 'training' }))).to.equal('new');
      expect(await s.store.all()).to.have.length(2);
    });

    it('hands out copies: changing a returned channel changes nothing stored', async () => {
      const saved = await use('general', { kind: 'all' });
      saved.channelId = 'changed';
      (saved.reference.conversation as { id: string }).id = 'changed';
      const found = await s.store.route({ category: 'login' });
      found!.name = 'changed';
      expect(await s.store.get(saved.id)).to.deep.equal({ id: saved.id, ...channel('general') });
    });

    it('keeps the channels and their routes across a restart', async () => {
      await use('general', { kind: 'all' });
      const wigan = await use('wigan', { kind: 'organisation', code: '242' });
      const reopened = await s.reopen();
      expect(channelOf(await reopened.route({ category: 'other', organisationCode: '242' }))).to.equal('wigan');
      expect(channelOf(await reopened.route({ category: 'other' }))).to.equal('general');
      expect(await reopened.get(wigan.id)).to.deep.equal(wigan);
    });

    if (shared) {
      it('a channel chosen on one instance routes tickets on another', async () => {
        if (!s.beside) throw new Error('a shared store needs a second instance to test');
        const other = await s.beside();
        await use('general', { kind: 'all' });
        expect(channelOf(await other.route({ category: 'login', organisationCode: '242' }))).to.equal('general');
        // Chosen on the other instance after this one has routed: this one's next ticket goes there.
        const wigan = await use('wigan', { kind: 'organisation', code: '242' }, other);
        expect(channelOf(await s.store.route({ category: 'login', organisationCode: '242' }))).to.equal('wigan');
        expect(channelOf(await s.store.routeTask({ organisationCode: '242' }))).to.equal('wigan');
        expect(await s.store.get(wigan.id)).to.deep.equal(wigan);
      });

      it('agrees on one entry when two instances are told "use this channel" for the same channel at once', async () => {
        if (!s.beside) throw new Error('a shared store needs a second instance to test');
        const other = await s.beside();
        const [a, b] = await Promise.all([use('19:desk@thread.tacv2', { kind: 'all' }), use('19:desk@thread.tacv2', { kind: 'tasks' }, other)]);
        expect(a.id).to.equal(b.id);
        expect(await s.store.all()).to.have.length(1);
        expect((await other.routeTask())?.id).to.equal(a.id);
        expect((await s.store.route({ category: 'login' }))?.id).to.equal(a.id);
      });
    }
  });
}
