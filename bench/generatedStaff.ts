// Fictional staff for the benchmarks, made from their index as they are asked for, so a directory of
// millions is never held in memory and every run builds the same one (reserved .example domain, valid per
// staffRecordSchema). Usernames are unique at any size: the part that makes them so is the index in letters.
import type { StaffRecord } from '../esr/types.js';

const FIRST = ['Alex', 'Bea', 'Cara', 'Dev', 'Eden', 'Fern', 'Gus', 'Hana', 'Ira', 'Jude', 'Kit', 'Lior', 'Mina', 'Noor', 'Ola', 'Pip'];
const LAST = ['Ashford', 'Brookwood', 'Calley', 'Dunton', 'Elmby', 'Fenwell', 'Gilridge', 'Holfield', 'Ivymore', 'Kelhurst', 'Langcombe', 'Mardale'];
const GROUPS = ['substantive', 'substantive', 'substantive', 'bank', 'ifm', 'lead_employer_doctor'] as const;

/** i in base 26 as letters: the part of the username that makes it unique. */
function letters(i: number): string {
  let s = '';
  do {
    s = String.fromCharCode(65 + (i % 26)) + s;
    i = Math.floor(i / 26);
  } while (i > 0);
  return s;
}
const mix = (i: number) => Math.imul(i ^ (i >>> 16), 0x45d9f3b) >>> 0;

/** Whether person i is linked to an Entra account (9 in 10 are). */
export const linked = (i: number) => i % 10 !== 9;

/** Person i, the same every run: 9 in 10 linked to an Entra account (a UPN and an object id). */
export function staffAt(i: number): StaffRecord {
  const first = FIRST[i % FIRST.length]!;
  const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
  const email = `${first}.${last}.${i}@nhs-trust.example`.toLowerCase();
  const h = mix(i).toString(16).padStart(8, '0');
  return {
    username: `241${first[0]}${last}${letters(i)}01`.toUpperCase(),
    firstName: first,
    lastName: last,
    workEmail: email,
    dateOfBirth: `${1960 + (i % 45)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
    staffGroup: GROUPS[i % GROUPS.length]!,
    ...(linked(i) ? { entraObjectId: `${h}-${h.slice(0, 4)}-4${h.slice(4, 7)}-8${h.slice(1, 4)}-${i.toString(16).padStart(12, '0')}`, upn: email } : {}),
  };
}

/** People 0 to count - 1. */
export function* people(count: number): Generator<StaffRecord> {
  for (let i = 0; i < count; i++) yield staffAt(i);
}

/**
 * A directory of `count` records with the given people (the simulated Teams users, whose usernames and emails
 * cannot clash with the generated ones) spread evenly through it, the rest generated.
 */
export function* directoryWith(count: number, users: StaffRecord[]): Generator<StaffRecord> {
  const stride = Math.floor(count / Math.max(1, users.length));
  let next = 0;
  for (let i = 0; i < count; i++) {
    if (next < users.length && i === next * stride) yield users[next++]!;
    else yield staffAt(i);
  }
}
