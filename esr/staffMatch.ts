// Which staff records belong to a Teams user. Only what Entra vouches for links a person to a record: the
// object id first, then the sign-in name (UPN). The roster email is whatever a tenant's admin typed, so it
// counts only when it is the UPN, or for records the directory knows no object id or UPN for. A record
// already linked to a different object id (or UPN) is never handed to someone else: the whole group that
// matched is refused, and the caller says so in the audit log.
import type { StaffDirectory } from './ports.js';
import type { StaffRecord, TeamsIdentity } from './types.js';

export type MatchedBy = 'object_id' | 'upn' | 'upn_as_email' | 'email';

export type StaffMatch =
  | { records: StaffRecord[]; by?: MatchedBy }
  | { records: []; refused: { by: MatchedBy; reason: 'linked_to_another_object_id' | 'linked_to_another_upn'; usernames: string[] } };

export async function matchStaff(directory: Pick<StaffDirectory, 'findByEntraObjectId' | 'findByUpn' | 'findByEmail'>, identity: TeamsIdentity): Promise<StaffMatch> {
  const oid = identity.entraObjectId?.trim().toLowerCase() || undefined;
  const upn = identity.upn?.trim().toLowerCase() || undefined;
  const email = identity.email?.trim().toLowerCase() || undefined;

  if (oid) {
    const records = await directory.findByEntraObjectId(oid);
    if (records.length > 0) return { records, by: 'object_id' };
  }
  const steps: Array<{ by: MatchedBy; find: () => Promise<StaffRecord[]> }> = [];
  if (upn) {
    steps.push({ by: 'upn', find: () => directory.findByUpn(upn) });
    steps.push({ by: 'upn_as_email', find: () => directory.findByEmail(upn) });
  }
  if (email && email !== upn) steps.push({ by: 'email', find: () => directory.findByEmail(email) });

  for (const step of steps) {
    const records = await step.find();
    if (records.length === 0) continue;
    const conflict = conflictOf(records, oid, upn);
    if (conflict) return { records: [], refused: { by: step.by, reason: conflict, usernames: records.map((r) => r.username) } };
    return { records, by: step.by };
  }
  return { records: [] };
}

function conflictOf(records: StaffRecord[], oid: string | undefined, upn: string | undefined): 'linked_to_another_object_id' | 'linked_to_another_upn' | undefined {
  // Found by something other than the object id, so any object id on these records is not the caller's.
  if (records.some((r) => r.entraObjectId && r.entraObjectId !== oid)) return 'linked_to_another_object_id';
  // So an unverified email reaches only records that carry no Entra link at all.
  if (records.some((r) => r.upn && r.upn !== upn)) return 'linked_to_another_upn';
  return undefined;
}
