// The tickets CSV for reporting: the right rows and columns, safe for Excel, and nothing it must not hold.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DAY } from '../../core/clock.js';
import { csvCell, EXPORT_COLUMNS, ticketsToCsv } from '../../tickets/exportCsv.js';
import { AISHA, createTicketHarness, newTicket, pngBytes, SAM, type TicketHarness } from './fixtures.js';

const run = promisify(execFile);

describe('the tickets CSV export', () => {
  let h: TicketHarness;
  beforeEach(async () => (h = await createTicketHarness()));
  afterEach(() => h.cleanup());

  it('defuses cells a spreadsheet would run as a formula, and quotes commas, quotes and line breaks', () => {
    expect(csvCell('=HYPERLINK("x")')).to.equal(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+44 1204')).to.equal("'+44 1204");
    expect(csvCell('-1')).to.equal("'-1");
    expect(csvCell('@SUM(A1)')).to.equal("'@SUM(A1)");
    expect(csvCell('Smith, Jo')).to.equal('"Smith, Jo"');
    expect(csvCell('line one\nline two')).to.equal('"line one\nline two"');
    expect(csvCell('plain')).to.equal('plain');
  });

  it('writes one row per ticket with response and resolution times, and no transcript or screenshot data', async () => {
    const ticket = await h.service.create(
      newTicket({
        description: 'Error after log in, "code 500"',
        screenshots: [{ bytes: pngBytes(), fileName: 'shot.png' }],
        transcript: [{ from: 'user', name: 'Aisha Shah', text: 'a private transcript line' }],
      }),
    );
    h.clock.advance(30 * 60_000);
    await h.service.takeOver(ticket.id, SAM);
    h.clock.advance(90 * 60_000);
    await h.service.resolve(ticket.id, SAM);
    await h.service.rate(ticket.id, true, 'quick, thanks');
    const csv = ticketsToCsv(await h.service.list({}));
    const [header, row] = csv.replace(/^\uFEFF/, '').split('\r\n');
    expect(header).to.equal(EXPORT_COLUMNS.join(','));
    expect(row).to.contain(ticket.ref).and.contain(',30,120,').and.contain(AISHA.name).and.contain('"Error after log in, ""code 500"""').and.contain('helpful');
    expect(csv).not.to.contain('a private transcript line');
    expect(csv).not.to.contain('shot.png');
  });

  it('runs as a command that filters by creation date', async () => {
    await h.service.create(newTicket({ description: 'old one' }));
    h.clock.advance(40 * DAY);
    await h.service.create(newTicket({ description: 'new one' }));
    const cutoff = h.clock.now().toISOString().slice(0, 10);
    const out = join(h.dir, 'export.csv');
    const { stderr } = await run(process.execPath, ['--import', 'tsx', 'scripts/tickets-export.ts', '--from', cutoff, '--out', out, '--data-dir', h.dir]);
    expect(stderr).to.contain('Wrote 1 ticket(s)');
    const csv = await readFile(out, 'utf8');
    expect(csv).to.contain('new one').and.not.contain('old one');
  });

  it('refuses a bad date with a clear message and a non-zero exit', async () => {
    const failure = await run(process.execPath, ['--import', 'tsx', 'scripts/tickets-export.ts', '--from', '2026-02-30', '--data-dir', h.dir]).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failure?.code).to.equal(2);
    expect(failure?.stderr).to.contain('--from should be a date as YYYY-MM-DD');
  });

  it('refuses a --to date before the --from date rather than writing an empty file', async () => {
    await h.service.create(newTicket({ description: 'in March' }));
    const out = join(h.dir, 'export.csv');
    const failure = await run(process.execPath, ['--import', 'tsx', 'scripts/tickets-export.ts', '--to', '2026-01-01', '--from', '2026-03-31', '--out', out, '--data-dir', h.dir]).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failure?.code).to.equal(2);
    expect(failure?.stderr).to.contain('--to 2026-01-01 is before --from 2026-03-31: give the earlier date as --from');
    expect(existsSync(out)).to.be.false;
  });
});
