// Every flow the main dialog can start, one dialog per file. The account flows come in two sets with the
// same ids: simulated (a training copy of ESR inside the bot) and guided (ESR's own screens explained, and
// ESR admin tasks for what only the Trust's administrators can do), for ESR_MODE guided or automation.
import { AccountHelpDialog } from './accountHelpDialog.js';
import { AppDialog } from './appDialog.js';
import { FaqDialog } from './faqDialog.js';
import { GuidedAccountHelpDialog } from './guidedAccountHelpDialog.js';
import { GuidedRegisterDialog } from './guidedRegisterDialog.js';
import { HumanDialog } from './humanDialog.js';
import { LockedAccountDialog } from './lockedAccountDialog.js';
import { ReportDialog } from './reportDialog.js';
import { againstRealEsr, type DialogDeps } from './deps.js';
import type { FlowDialog } from './flowDialog.js';
import { PasswordRulesDialog } from './passwordRulesDialog.js';
import { RegisterDialog } from './registerDialog.js';

export function createFlows(deps: DialogDeps): FlowDialog[] {
  const guided = againstRealEsr(deps.settings);
  const account: FlowDialog[] = guided
    ? [new GuidedRegisterDialog(deps), new GuidedAccountHelpDialog('forgotPassword', deps), new GuidedAccountHelpDialog('forgotUsername', deps), new LockedAccountDialog(deps)]
    : [new RegisterDialog(deps), new AccountHelpDialog('forgotPassword', deps), new AccountHelpDialog('forgotUsername', deps), new AccountHelpDialog('unlock', deps)];
  return [
    ...account,
    new PasswordRulesDialog(deps),
    new AppDialog(deps, { guided }),
    new FaqDialog(deps),
    new ReportDialog(deps),
    new HumanDialog(deps),
  ];
}
