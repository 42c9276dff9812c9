// Fictional staff records for benchmarks and tests: seeded, so every run builds the same directory, with
// made-up names and .example emails, valid per staffRecordSchema.
import { STAFF_GROUPS, type StaffRecord } from '../../esr/types.js';

const ORG_CODE = '241';

/** A small seeded PRNG (mulberry32), so every run builds the same directory. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST_NAMES = [
  'Alex', 'Bea', 'Cara', 'Dev', 'Eden', 'Fern', 'Gus', 'Hana', 'Ira', 'Jude', 'Kit', 'Lior', 'Mina', 'Noor', 'Ola', 'Pip',
  'Quinn', 'Rae', 'Sol', 'Tam', 'Uma', 'Vic', 'Wren', 'Yas', 'Zan', 'Ash', 'Bo', 'Cal', 'Dara', 'Ezra', 'Flo', 'Gwen',
];
const SURNAME_STARTS = ['Ash', 'Brook', 'Cal', 'Dun', 'Elm', 'Fen', 'Gil', 'Hol', 'Ivy', 'Kel', 'Lang', 'Mar', 'Nor', 'Oak', 'Pen', 'Quil', 'Ros', 'Staf', 'Thorn', 'Wyn'];
const SURNAME_ENDS = ['ford', 'wood', 'ley', 'ton', 'by', 'well', 'ridge', 'field', 'more', 'hurst', 'combe', 'dale'];

function uuidV4(random: () => number): string {
  const bytes = Array.from({ length: 16 }, () => Math.floor(random() * 256));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * `count` fictional records (reserved .example domain). About 1 in 40 people has a second assignment (a second
 * username with the same email and Entra id); 1 in 10 has no Teams account linked. The first `users` records
 * are complete people, the simulated Teams users; they are spread through the file.
 */
export function fictionalStaff(count: number, users: number): { records: StaffRecord[]; userRecords: StaffRecord[] } {
  const random = prng(20_241);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const nextNumber = new Map<string, number>();
  const nextEmail = new Map<string, number>();
  const person = (linked: boolean): StaffRecord => {
    for (;;) {
      const first = pick(FIRST_NAMES);
      const last = pick(SURNAME_STARTS) + pick(SURNAME_ENDS);
      const base = `${ORG_CODE}${first[0]}${last}`.toUpperCase();
      const n = (nextNumber.get(base) ?? 0) + 1;
      if (n > 99) continue;
      nextNumber.set(base, n);
      const local = `${first}.${last}`.toLowerCase();
      const e = (nextEmail.get(local) ?? 0) + 1;
      nextEmail.set(local, e);
      const email = `${local}${e > 1 ? e : ''}@nhs-trust.example`;
      const year = 1960 + Math.floor(random() * 45);
      const dob = `${year}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
      const group = random() < 0.7 ? 'substantive' : pick(STAFF_GROUPS);
      return {
        username: `${base}${String(n).padStart(2, '0')}`,
        firstName: first,
        lastName: last,
        workEmail: email,
        dateOfBirth: dob,
        staffGroup: group,
        ...(linked ? { entraObjectId: uuidV4(random), upn: email } : {}),
      };
    }
  };
  const userRecords = Array.from({ length: users }, () => person(true));
  const records: StaffRecord[] = [];
  const stride = Math.floor(count / users);
  let nextUser = 0;
  while (records.length < count) {
    if (nextUser < users && records.length === nextUser * stride) {
      records.push(userRecords[nextUser++]!);
      continue;
    }
    const record = person(random() >= 0.1);
    records.push(record);
    if (records.length < count && random() < 0.025 && !(nextUser < users && records.length === nextUser * stride)) {
      // A second assignment: same person, another username.
      const base = record.username.slice(0, -2);
      const n = (nextNumber.get(base) ?? 0) + 1;
      if (n <= 99) {
        nextNumber.set(base, n);
        records.push({ ...record, username: `${base}${String(n).padStart(2, '0')}`, staffGroup: 'bank' });
      }
    }
  }
  return { records, userRecords };
}

