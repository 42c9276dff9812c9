// The person's ESR accounts, looked up once a turn however many steps ask: one flow can ask three times in a
// turn (the app flow checks registration, then the register flow finds and confirms the username), and each ask
// is two reads of the directory. A turn that changes an account forgets the answer (forgetTurnAccounts).
import type { TurnContext } from 'botbuilder-core';
import type { StaffAccount } from '../esr/types.js';
import type { DialogDeps } from './deps.js';

const TURN_ACCOUNTS = Symbol('turn-accounts');

export function turnAccounts(deps: Pick<DialogDeps, 'esr' | 'profiles'>, context: TurnContext): Promise<StaffAccount[]> {
  let found = context.turnState.get<Promise<StaffAccount[]> | undefined>(TURN_ACCOUNTS);
  if (!found) {
    found = deps.profiles.resolve(context).then((profile) => deps.esr.findByTeamsIdentity(profile));
    context.turnState.set(TURN_ACCOUNTS, found);
    // A failed lookup is not remembered: the next step asks again.
    found.catch(() => context.turnState.get(TURN_ACCOUNTS) === found && context.turnState.delete(TURN_ACCOUNTS));
  }
  return found;
}

export function forgetTurnAccounts(context: TurnContext): void {
  context.turnState.delete(TURN_ACCOUNTS);
}
