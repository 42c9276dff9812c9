// What the dialogs are given by the composition root. Dialogs talk to the ESR service and the content
// layer only through these; they never see storage, mail or HTTP.
import type { TurnContext } from 'botbuilder-core';
import type { Content } from '../content/content.js';
import type { Faq } from '../content/faq.js';
import type { Clock } from '../esr/clock.js';
import type { EsrService } from '../esr/esrService.js';
import type { TeamsIdentity } from '../esr/types.js';
import type { IntentRecogniser } from './intents.js';

/** Who is on the other end of this turn, as far as Teams tells us. */
export interface UserProfile extends TeamsIdentity {
  /** The Teams user id (29:...), for replies and state keys. */
  teamsUserId: string;
  displayName?: string;
  givenName?: string;
}

export interface ProfileResolver {
  resolve(context: TurnContext): Promise<UserProfile>;
}

export interface DialogSettings {
  /** How long emailed reset and unlock links work, for telling people. */
  resetLinkHours: number;
}

export interface DialogDeps {
  esr: EsrService;
  content: Content;
  intents: IntentRecogniser;
  profiles: ProfileResolver;
  clock: Clock;
  settings: DialogSettings;
  faq: Faq;
}
