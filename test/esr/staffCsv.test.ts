import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { detectDelimiter, maskDateOfBirth, parseStaffCsv, type StaffCsvResult } from '../../esr/staffCsv.js';

const TODAY = new Date('2026-06-01T12:00:00Z');
const HEADER = 'username,first_name,last_name,work_email,date_of_birth,staff_group,entra_object_id,upn';
const GOOD_ROW = '241AEXAMPLE01,Alex,Example,alex.example@nhs-trust.example,1985-03-14,substantive,,';

function parse(text: string, orgCode?: string): StaffCsvResult {
  return parseStaffCsv(text, { today: TODAY, ...(orgCode ? { orgCode } : {}) });
}

/** Parses a file that must be readable, for tests about rows. */
function parsed(text: string, orgCode?: string): Extract<StaffCsvResult, { kind: 'parsed' }> {
  const result = parse(text, orgCode);
  if (result.kind !== 'parsed') throw new Error(`expected a readable file, got: ${result.reason}`);
  return result;
}

function unreadableReason(text: string): string {
  const result = parse(text);
  if (result.kind !== 'unreadable') throw new Error('expected the file to be refused as a whole');
  return result.reason;
}

const lines = (...rows: string[]) => rows.join('\n');

/** Rejected rows as line and reason, for tests not about the per-column problems. */
const reasons = (result: Extract<StaffCsvResult, { kind: 'parsed' }>) => result.errors.map(({ line, reason }) => ({ line, reason }));

describe('reading the staff CSV', () => {
  describe('a good file', () => {
    it('turns every row into a normalised staff record', () => {
      const result = parsed(
        lines(
          HEADER,
          '241aexample01 , Alex , Example ,Alex.Example@NHS-Trust.example,14/03/1985,Substantive,00000000-0000-4000-8000-0000000000AB,Alex.Example@NHS-Trust.example',
          '241BSAMPLE01,Bea,Sample,bea.sample@nhs-trust.example,1990-7-2,bank,,',
        ),
      );
      expect(reasons(result)).to.deep.equal([]);
      expect(result.rowCount).to.equal(2);
      expect(result.records).to.deep.equal([
        {
          username: '241AEXAMPLE01',
          firstName: 'Alex',
          lastName: 'Example',
          workEmail: 'alex.example@nhs-trust.example',
          dateOfBirth: '1985-03-14',
          staffGroup: 'substantive',
          entraObjectId: '00000000-0000-4000-8000-0000000000ab',
          upn: 'alex.example@nhs-trust.example',
        },
        { username: '241BSAMPLE01', firstName: 'Bea', lastName: 'Sample', workEmail: 'bea.sample@nhs-trust.example', dateOfBirth: '1990-07-02', staffGroup: 'bank' },
      ]);
    });

    it('accepts the staff groups as people write them: iFM and "lead employer doctor"', () => {
      const result = parsed(
        lines(
          HEADER,
          '241AONE01,A,One,a.one@nhs-trust.example,1985-03-14,iFM,,',
          '241BTWO01,B,Two,b.two@nhs-trust.example,1985-03-14,lead employer doctor,,',
          '241CTHREE01,C,Three,c.three@nhs-trust.example,1985-03-14,LEAD_EMPLOYER_DOCTOR,,',
        ),
      );
      expect(result.records.map((r) => r.staffGroup)).to.deep.equal(['ifm', 'lead_employer_doctor', 'lead_employer_doctor']);
    });

    it('reads the columns in any order, with header names in any case, and without the optional columns', () => {
      const result = parsed(lines('Staff_Group,DATE_OF_BIRTH,Work_Email,Last_Name,First_Name,Username', 'bank,1985-03-14,a.one@nhs-trust.example,One,A,241AONE01'));
      expect(reasons(result)).to.deep.equal([]);
      expect(result.records[0]).to.deep.equal({ username: '241AONE01', firstName: 'A', lastName: 'One', workEmail: 'a.one@nhs-trust.example', dateOfBirth: '1985-03-14', staffGroup: 'bank' });
    });

    it('reads the example file that the README points to without a single rejected row', async () => {
      const text = await readFile(new URL('../fixtures/staff-example.csv', import.meta.url), 'utf8');
      const result = parsed(text);
      expect(reasons(result)).to.deep.equal([]);
      expect(result.records.length).to.be.within(5, 10);
      expect(result.records.every((r) => r.workEmail.endsWith('@nhs-trust.example'))).to.be.true;
    });

    it('accepts a header with no rows as a file with nothing to import', () => {
      expect(parsed(`${HEADER}\n`)).to.deep.equal({ kind: 'parsed', records: [], errors: [], rowCount: 0, usernames: new Set(), ignoredColumns: [] });
    });
  });

  describe('the CSV format', () => {
    it('reads quoted values with commas, doubled quote marks and line breaks, and keeps later line numbers right', () => {
      const result = parsed(
        lines(
          HEADER,
          '241AONE01,"Mary\nJane","One, Jnr",a.one@nhs-trust.example,1985-03-14,bank,,', // lines 2-3
          '241BTWO01,"B ""Bee""","Two\n\nThree",b.two@nhs-trust.example,1985-03-14,bank,,', // lines 4-6
          '241CTHREE01,C,Three,not-an-email,1985-03-14,bank,,', // line 7
        ),
      );
      expect(result.records.map((r) => [r.firstName, r.lastName])).to.deep.equal([
        ['Mary Jane', 'One, Jnr'],
        ['B "Bee"', 'Two Three'],
      ]);
      expect(reasons(result)).to.deep.equal([{ line: 7, reason: 'work_email "not-an-email" should be an email address, like first.last@nhs.net' }]);
    });

    it('reads a file with a UTF-8 byte order mark, as Excel saves "CSV UTF-8"', () => {
      const result = parsed(`\uFEFF${lines(HEADER, GOOD_ROW)}`);
      expect(reasons(result)).to.deep.equal([]);
      expect(result.records).to.have.length(1);
    });

    it('reads Windows line ends (CRLF), also inside quoted values, and counts each as one line', () => {
      const result = parsed(['\uFEFF' + HEADER, GOOD_ROW, '241BTWO01,"B\r\nB",Two,b.two@nhs-trust.example,1985-03-14,bank,,', '241CTHREE01,C,Three,c.three@nhs-trust.example,1985-03-14,nurse,,', ''].join('\r\n'));
      expect(result.records.map((r) => r.firstName)).to.deep.equal(['Alex', 'B B']);
      expect(reasons(result)).to.deep.equal([{ line: 5, reason: 'staff_group "nurse" should be one of substantive, bank, ifm, lead_employer_doctor' }]);
    });

    it('skips blank lines and rows of empty cells, but still counts them for line numbers', () => {
      const result = parsed(lines(HEADER, '', GOOD_ROW, ',,,,,,,', '', '241BTWO01,B,Two,b.two@nhs-trust.example,1985-03-14,,,'));
      expect(result.rowCount).to.equal(2);
      expect(reasons(result)).to.deep.equal([{ line: 6, reason: 'staff_group is required' }]);
    });

    it('accepts spaces around a quoted value', () => {
      const result = parsed(lines(HEADER, '241AONE01, "A" ,"One" ,a.one@nhs-trust.example,1985-03-14,bank,,'));
      expect(reasons(result)).to.deep.equal([]);
      expect(result.records[0]?.firstName).to.equal('A');
    });
  });

  describe('bad rows', () => {
    // Each row is line 2, after the header; the good rows around it must still be imported.
    const cases: Array<{ problem: string; row: string; reason: string }> = [
      { problem: 'an empty required value', row: '241AONE01,,One,a.one@nhs-trust.example,1985-03-14,bank,,', reason: 'first_name is required' },
      { problem: 'a username that is not in ESR form', row: '241-one,A,One,a.one@nhs-trust.example,1985-03-14,bank,,', reason: 'username "241-one" should be the organisation code, initial and surname, then two digits, like 241JSMITH01' },
      { problem: 'a username of another organisation', row: '242AONE01,A,One,a.one@nhs-trust.example,1985-03-14,bank,,', reason: 'username 242AONE01 should start with the organisation code 241' },
      { problem: 'a work email that is not an email address', row: '241AONE01,A,One,a.one-at-nhs,1985-03-14,bank,,', reason: 'work_email "a.one-at-nhs" should be an email address, like first.last@nhs.net' },
      { problem: 'a date of birth in another format', row: '241AONE01,A,One,a.one@nhs-trust.example,14 March 1985,bank,,', reason: 'date_of_birth (value not shown) should be a date as yyyy-mm-dd or dd/mm/yyyy, like 1985-03-14 or 14/03/1985' },
      { problem: 'a date of birth with a two-digit year', row: '241AONE01,A,One,a.one@nhs-trust.example,14/03/85,bank,,', reason: 'date_of_birth **/**/85 has a two-digit year, which is ambiguous (write the year in full, like 14/03/1985)' },
      { problem: 'a date of birth that does not exist (month first)', row: '241AONE01,A,One,a.one@nhs-trust.example,03/14/1985,bank,,', reason: 'date_of_birth **/**/1985 is not a real date (dd/mm/yyyy is read day first)' },
      { problem: 'a date of birth in the future', row: '241AONE01,A,One,a.one@nhs-trust.example,2030-01-01,bank,,', reason: 'date_of_birth 2030-**-** is in the future' },
      { problem: 'a date of birth over 110 years ago', row: '241AONE01,A,One,a.one@nhs-trust.example,1900-01-01,bank,,', reason: 'date_of_birth 1900-**-** is more than 110 years ago' },
      { problem: 'an unknown staff group', row: '241AONE01,A,One,a.one@nhs-trust.example,1985-03-14,agency,,', reason: 'staff_group "agency" should be one of substantive, bank, ifm, lead_employer_doctor' },
      { problem: 'an Entra object id that is not a GUID', row: '241AONE01,A,One,a.one@nhs-trust.example,1985-03-14,bank,1234,', reason: 'entra_object_id "1234" should be a GUID' },
      { problem: 'a UPN that is not an email address', row: '241AONE01,A,One,a.one@nhs-trust.example,1985-03-14,bank,,a.one', reason: 'upn "a.one" should be an email address, like first.last@nhs.net' },
      { problem: 'a name over 100 characters', row: `241AONE01,${'A'.repeat(101)},One,a.one@nhs-trust.example,1985-03-14,bank,,`, reason: `first_name "${'A'.repeat(37)}..." should be at most 100 characters` },
      { problem: 'too many values (an unquoted comma)', row: '241AONE01,A,One, Jnr,a.one@nhs-trust.example,1985-03-14,bank,,', reason: 'has 9 values but the header has 8 columns (a value with a delimiter in it must be in double quotes)' },
      { problem: 'too few values', row: '241AONE01,A,One,a.one@nhs-trust.example,1985-03-14,bank', reason: 'has 6 values but the header has 8 columns' },
      { problem: 'a stray quote mark', row: '241AONE01,A,O"Neil,a.one@nhs-trust.example,1985-03-14,bank,,', reason: 'last_name has a stray quote mark (a value with a quote mark in it must be in double quotes, with the quote mark doubled: "")' },
      { problem: 'text after a closing quote mark', row: '241AONE01,"A"B,One,a.one@nhs-trust.example,1985-03-14,bank,,', reason: 'first_name has text after its closing quote mark (put the whole value in double quotes)' },
    ];
    for (const { problem, row, reason } of cases) {
      it(`rejects a row with ${problem}, saying why on its line, and keeps the others`, () => {
        const result = parsed(lines(HEADER, row, '241BTWO01,B,Two,b.two@nhs-trust.example,1985-03-14,bank,,'));
        expect(reasons(result)).to.deep.equal([{ line: 2, reason }]);
        expect(result.records.map((r) => r.username)).to.deep.equal(['241BTWO01']);
      });
    }

    it('reports every problem of a row in one reason, in column order', () => {
      const result = parsed(lines(HEADER, '241AONE01,,One,nope,14/03/85,nurse,,'));
      expect(reasons(result)).to.deep.equal([
        {
          line: 2,
          reason:
            'first_name is required; work_email "nope" should be an email address, like first.last@nhs.net; date_of_birth **/**/85 has a two-digit year, which is ambiguous (write the year in full, like 14/03/1985); staff_group "nurse" should be one of substantive, bank, ifm, lead_employer_doctor',
        },
      ]);
    });

    it('rejects a username repeated later in the file (in any case) and keeps the first', () => {
      const result = parsed(lines(HEADER, GOOD_ROW, '241BTWO01,B,Two,b.two@nhs-trust.example,1985-03-14,bank,,', '241aexample01,Alex,Other,alex.other@nhs-trust.example,1985-03-14,bank,,'));
      expect(reasons(result)).to.deep.equal([{ line: 4, reason: 'username 241AEXAMPLE01 is repeated; it was first on line 2' }]);
      expect(result.records.map((r) => r.lastName)).to.deep.equal(['Example', 'Two']);
    });

    it('checks usernames against the configured organisation code', () => {
      const result = parsed(lines(HEADER, '242AONE01,A,One,a.one@nhs-trust.example,1985-03-14,bank,,', GOOD_ROW), '242');
      expect(result.records.map((r) => r.username)).to.deep.equal(['242AONE01']);
      expect(reasons(result)).to.deep.equal([{ line: 3, reason: 'username 241AEXAMPLE01 should start with the organisation code 242' }]);
    });
  });

  describe('files as ESR reports and Excel write them', () => {
    const ESR_HEADER = '\uFEFFEmployee Number;Assignment Number;User Name;First Name;Last Name;Date of Birth;Work Email Address;Staff Group;Department';

    it('reads a semicolon file with ESR-style column names, skipping an extra column when asked to', () => {
      const result = parseStaffCsv(
        lines(ESR_HEADER, '12345678;12345678-2;241AONE01;Ann;One;14/03/1985;Ann.One@nhs-trust.example;Bank;"Ward 7; Theatres"'),
        { today: TODAY, ignoreExtraColumns: true },
      );
      if (result.kind !== 'parsed') throw new Error(result.reason);
      expect(reasons(result)).to.deep.equal([]);
      expect(result.ignoredColumns).to.deep.equal(['Department']);
      expect(result.records).to.deep.equal([
        { username: '241AONE01', firstName: 'Ann', lastName: 'One', workEmail: 'ann.one@nhs-trust.example', dateOfBirth: '1985-03-14', staffGroup: 'bank', employeeNumber: '12345678', assignmentNumber: '12345678-2' },
      ]);
    });

    it('refuses an unknown column unless told to skip it, naming the column as the file writes it', () => {
      const result = parse(lines(ESR_HEADER, '12345678;12345678-2;241AONE01;Ann;One;14/03/1985;ann.one@nhs-trust.example;bank;Ward 7'));
      expect(result).to.deep.include({ kind: 'unreadable', unknownColumns: ['Department'] });
      if (result.kind === 'unreadable') expect(result.reason).to.match(/^the header \(line 1\) has unknown column Department; /);
    });

    it('accepts the names in any case and spacing, with underscores or hyphens, and "Email Address" for the work email', () => {
      const result = parsed(lines('  USER_NAME , first-name,LAST   NAME,email address,DATE_OF_BIRTH,staff group', '241AONE01,A,One,a.one@nhs-trust.example,1985-03-14,bank'));
      expect(reasons(result)).to.deep.equal([]);
      expect(result.records.map((r) => r.workEmail)).to.deep.equal(['a.one@nhs-trust.example']);
    });

    it('reads a tab-delimited file, keeping tabs inside quoted values', () => {
      const result = parsed(lines(HEADER.replaceAll(',', '\t'), '241AONE01\t"A\tB"\tOne\ta.one@nhs-trust.example\t1985-03-14\tbank\t\t', '241BTWO01\tB\tTwo, Jnr\tb.two@nhs-trust.example\t1985-03-14\tbank\t\t'));
      expect(reasons(result)).to.deep.equal([]);
      expect(result.records.map((r) => [r.firstName, r.lastName])).to.deep.equal([
        ['A B', 'One'],
        ['B', 'Two, Jnr'],
      ]);
    });

    it('detects the delimiter from the header alone, ignoring delimiters inside quoted names', () => {
      expect(detectDelimiter('"a;b;c",d,e\n1;2;3;4;5;6')).to.equal(0x2c);
      expect(detectDelimiter('\n\nusername;first_name,x;y\n')).to.equal(0x3b);
      expect(detectDelimiter('username\tfirst_name\n')).to.equal(0x09);
      expect(detectDelimiter('username\n')).to.equal(0x2c);
    });

    it('reads quoted values with the delimiter inside them in a semicolon file', () => {
      const result = parsed(lines(HEADER.replaceAll(',', ';'), '241AONE01;"A;A";"One, Jnr";a.one@nhs-trust.example;1985-03-14;bank;;', '241BTWO01;B;Two;b.two@nhs-trust.example;1985-03-14;bank;;;'));
      expect(result.records.map((r) => r.firstName)).to.deep.equal(['A;A']);
      expect(reasons(result)).to.deep.equal([{ line: 3, reason: 'has 9 values but the header has 8 columns (a value with a delimiter in it must be in double quotes)' }]);
    });

    it('lists each problem with the column as the file names it', () => {
      const result = parseStaffCsv(lines(ESR_HEADER.replace(';Department', ''), ';;241AONE01;;One;31/02/1985;nope;bank'), { today: TODAY });
      if (result.kind !== 'parsed') throw new Error(result.reason);
      expect(result.errors[0]?.problems).to.deep.equal([
        { column: 'First Name', reason: 'First Name is required' },
        { column: 'Work Email Address', reason: 'Work Email Address "nope" should be an email address, like first.last@nhs.net' },
        { column: 'Date of Birth', reason: 'Date of Birth **/**/1985 is not a real date (dd/mm/yyyy is read day first)' },
      ]);
    });

    it('never shows a date of birth whole, however it is written', () => {
      // Each with the day and month as they would appear in it.
      const bad = [
        ['31/02/1985', '31/02'],
        ['1985-02-31', '02-31'],
        ['14.03.1985', '14.03'],
        ['14 March 1985', '14 March'],
        ['2030-01-01', '01-01'],
        ['14/03/85', '14/03/85'],
      ] as const;
      const result = parsed(lines(HEADER, ...bad.map(([dob], i) => `241A${'BCDEFG'[i]!}ONE01,A,One,a.one@nhs-trust.example,${dob},bank,,`)));
      expect(result.errors).to.have.length(bad.length);
      for (const [i, error] of result.errors.entries()) {
        expect(error.reason).to.match(/^date_of_birth /);
        expect(error.reason).not.to.contain(bad[i]![1]);
      }
      expect(maskDateOfBirth('14/03/1985')).to.equal('**/**/1985');
      expect(maskDateOfBirth('1985-03-14')).to.equal('1985-**-**');
      expect(maskDateOfBirth('14 March 1985')).to.equal('(value not shown)');
    });

    it('names every well-formed username in the file, rejected rows included', () => {
      const result = parsed(lines(HEADER, GOOD_ROW, '241btwo01,B,Two,nope,1985-03-14,bank,,', 'nonsense,C,Three,c@nhs-trust.example,1985-03-14,bank,,'));
      expect([...result.usernames]).to.deep.equal(['241AEXAMPLE01', '241BTWO01']);
    });

    it('checks each row against its own organisation_code, defaulting to the configured one, and keeps the code', () => {
      const result = parsed(lines(`${HEADER},Organisation Code`, '242AONE01,A,One,a.one@nhs-trust.example,1985-03-14,bank,,,242', `${GOOD_ROW},`, '242BTWO01,B,Two,b.two@nhs-trust.example,1985-03-14,bank,,,'));
      expect(result.records.map((r) => [r.username, r.organisationCode])).to.deep.equal([
        ['242AONE01', '242'],
        ['241AEXAMPLE01', '241'],
      ]);
      expect(reasons(result)).to.deep.equal([{ line: 4, reason: 'username 242BTWO01 should start with the organisation code 241' }]);
    });
  });

  describe('files that cannot be used at all', () => {
    it('refuses an empty file', () => {
      expect(unreadableReason('')).to.equal('the file is empty');
      expect(unreadableReason('\uFEFF\r\n\r\n')).to.equal('the file is empty');
    });

    it('refuses a file whose first line is data rather than a header', () => {
      expect(unreadableReason(lines(GOOD_ROW, GOOD_ROW))).to.match(/^line 1 should be a header naming the columns \(username, first_name, .*organisation_code\), but it names none of them$/);
    });

    it('refuses a header with an unknown column, naming it', () => {
      expect(unreadableReason(lines(`${HEADER},Payroll_Number`, `${GOOD_ROW},123`))).to.match(/^the header \(line 1\) has unknown column Payroll_Number; the columns are username, /);
    });

    it('refuses a header missing a required column, naming every missing one', () => {
      expect(unreadableReason(lines('username,first_name,last_name,date_of_birth', '241AONE01,A,One,1985-03-14'))).to.match(/^the header \(line 1\) is missing the required columns work_email, staff_group; /);
    });

    it('refuses a header that names a column twice', () => {
      expect(unreadableReason(lines(`${HEADER},UPN`, `${GOOD_ROW},`))).to.equal('the header (line 1) names the column upn twice (as upn and UPN)');
    });

    it('refuses a quoted value that is never closed, naming the line where it opens', () => {
      expect(unreadableReason(lines(HEADER, GOOD_ROW, '241BTWO01,"B,Two,b.two@nhs-trust.example,1985-03-14,bank,,', GOOD_ROW))).to.equal(
        'the quoted value that starts on line 3 is never closed (a closing quote mark " is missing)',
      );
    });
  });
});
