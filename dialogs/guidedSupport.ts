// What the guided flows share: who the person is (from their Teams sign-in, matched to the staff
// directory), buttons read back from typed or clicked answers, and telling them how an admin task went.
import type { TurnContext } from 'botbuilder-core';
import type { PromptValidatorContext } from 'botbuilder-dialogs';
import { guidedStepCard, type GuidedStepData } from '../cards/guidedCards.js';
import type { Choice } from '../cards/cards.js';
import type { Content } from '../content/content.js';
import type { StaffAccount } from '../esr/types.js';
import type { AdminTaskKind } from '../tickets/types.js';
import type { AdminTaskOutcome, DialogDeps, UserProfile } from './deps.js';
import { tokenise } from './intents.js';
import { sendCard } from './replies.js';
import { turnAccounts } from './turnAccounts.js';

export interface Who {
  profile: UserProfile;
  accounts: StaffAccount[];
  usernames: string[];
  /** From the usernames (their first three characters), or the Trust's own code when none. */
  orgCode: string;
  name: string;
}

export async function whoIs(deps: DialogDeps, context: TurnContext): Promise<Who> {
  const profile = await deps.profiles.resolve(context);
  const accounts = await turnAccounts(deps, context);
  const usernames = accounts.map((a) => a.record.username);
  const first = accounts[0]?.record;
  return {
    profile,
    accounts,
    usernames,
    orgCode: usernames[0]?.slice(0, 3) ?? deps.content(context).fill('{orgCode}'),
    name: profile.displayName ?? (first ? `${first.firstName} ${first.lastName}` : ''),
  };
}

/** "I've found you from your Teams sign-in: ..." */
export function youLine(c: Content, who: Who): string {
  const usernames = who.usernames.join(', ');
  return who.usernames.length > 1
    ? c.t('guided.youMany', { name: who.name, count: who.usernames.length, usernames, orgCode: who.orgCode })
    : c.t('guided.you', { name: who.name, usernames, orgCode: who.orgCode });
}

/** What the bot knows of a Teams sign-in that matched no one, for the person to recognise. */
export function teamsDescription(who: Who): string {
  return [who.profile.displayName, who.profile.upn ?? who.profile.email].filter(Boolean).join(', ') || who.profile.teamsUserId;
}

export function doneChoices(c: Content): Choice[] {
  return [
    { label: c.t('guided.done'), value: 'done' },
    { label: c.t('guided.didntWork'), value: 'didnt work' },
  ];
}

export function yesNo(c: Content, yes = c.t('guided.yes'), no = c.t('guided.no')): Choice[] {
  return [
    { label: yes, value: 'yes' },
    { label: no, value: 'no' },
  ];
}

/** A validator that accepts a button's value or its label typed, and hands on the value. */
export function choiceValidator(choices: (prompt: PromptValidatorContext<string>) => Choice[]) {
  return (prompt: PromptValidatorContext<string>): Promise<boolean> => {
    const typed = tokenise(prompt.recognized.value ?? '').join(' ');
    const match = choices(prompt).find((ch) => ch.value === (prompt.recognized.value ?? '').trim() || tokenise(ch.label).join(' ') === typed || tokenise(ch.value).join(' ') === typed);
    if (!match) return Promise.resolve(false);
    prompt.recognized.value = match.value;
    return Promise.resolve(true);
  };
}

/** Tells the person what happened to the task they asked for, and what happens next. */
export async function sendTaskOutcome(deps: DialogDeps, context: TurnContext, kind: AdminTaskKind, outcome: AdminTaskOutcome): Promise<void> {
  const c = deps.content(context);
  const action = c.t(`tasks.actions.${kind}`);
  const data: GuidedStepData =
    outcome.state === 'done'
      ? { title: c.t('guided.outcome.doneTitle', { ref: outcome.ref }), paragraphs: [c.t(`tasks.done.${kind}`, { ref: outcome.ref })] }
      : outcome.state === 'pending'
        ? { title: c.t('guided.outcome.title', { ref: outcome.ref }), paragraphs: [c.t('guided.outcome.pending', { ref: outcome.ref })] }
        : {
            title: c.t('guided.outcome.title', { ref: outcome.ref }),
            paragraphs: [
              ...(outcome.reused ? [c.t('guided.outcome.reused', { ref: outcome.ref })] : []),
              ...(outcome.automationFellBack ? [c.t('guided.outcome.fellBack')] : []),
              c.t(outcome.teamIsIn ? 'guided.outcome.queuedIn' : 'guided.outcome.queuedOut', { ref: outcome.ref, action, nextOpening: outcome.nextOpening }),
            ],
          };
  await sendCard(context, guidedStepCard(c, data));
}
