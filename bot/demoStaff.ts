// A small, clearly fictional staff directory so every flow can be tried on a fresh install. Emails use
// the reserved .example domain, so nothing can reach a real person. The Entra object ids match the users
// in .m365agentsplayground.yml, so the Teams emulator's users are these people.
import type { StaffRecord } from '../esr/types.js';

export const DEMO_PASSWORD = 'blue kettle orchard 42';

export interface DemoAccount {
  record: StaffRecord;
  /** Registered for internet access with DEMO_PASSWORD. */
  registered?: boolean;
  /** Locked after too many wrong passwords (registered too). */
  locked?: boolean;
}

const oid = (n: number) => `00000000-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`;

export function demoStaff(orgCode: string): DemoAccount[] {
  const r = (fields: Omit<StaffRecord, 'username'> & { user: string }): StaffRecord => {
    const { user, ...rest } = fields;
    return { username: `${orgCode}${user}`, ...rest };
  };
  return [
    { record: r({ user: 'ADEMO01', firstName: 'Alex', lastName: 'Demo', workEmail: 'alex.demo@nhs-trust.example', dateOfBirth: '1985-03-14', staffGroup: 'substantive', entraObjectId: oid(20), upn: 'alex.demo@nhs-trust.example' }) },
    { record: r({ user: 'BSAMPLE01', firstName: 'Bea', lastName: 'Sample', workEmail: 'bea.sample@nhs-trust.example', dateOfBirth: '1990-07-02', staffGroup: 'substantive', entraObjectId: oid(21), upn: 'bea.sample@nhs-trust.example' }), registered: true },
    { record: r({ user: 'BSAMPLE02', firstName: 'Bea', lastName: 'Sample', workEmail: 'bea.sample@nhs-trust.example', dateOfBirth: '1990-07-02', staffGroup: 'bank', entraObjectId: oid(21), upn: 'bea.sample@nhs-trust.example' }) },
    { record: r({ user: 'CTEST01', firstName: 'Chris', lastName: 'Test', workEmail: 'chris.test@nhs-trust.example', dateOfBirth: '1978-11-30', staffGroup: 'ifm', entraObjectId: oid(22), upn: 'chris.test@nhs-trust.example' }), registered: true, locked: true },
    { record: r({ user: 'DEXAMPLE01', firstName: 'Dana', lastName: 'Example', workEmail: 'dana.example@nhs-trust.example', dateOfBirth: '1992-01-25', staffGroup: 'lead_employer_doctor', entraObjectId: oid(23), upn: 'dana.example@nhs-trust.example' }) },
    { record: r({ user: 'EPLACEHOLDER01', firstName: 'Eli', lastName: 'Placeholder', workEmail: 'eli.placeholder@nhs-trust.example', dateOfBirth: '1969-05-09', staffGroup: 'bank', entraObjectId: oid(24), upn: 'eli.placeholder@nhs-trust.example' }) },
    { record: r({ user: 'FMOCK01', firstName: 'Fran', lastName: 'Mock', workEmail: 'fran.mock@nhs-trust.example', dateOfBirth: '1988-09-17', staffGroup: 'substantive', entraObjectId: oid(25), upn: 'fran.mock@nhs-trust.example' }) },
  ];
}
