// Every flow the main dialog can start, one dialog per file.
import { AccountHelpDialog } from './accountHelpDialog.js';
import { AppDialog } from './appDialog.js';
import { FaqDialog } from './faqDialog.js';
import { HumanDialog } from './humanDialog.js';
import { ReportDialog } from './reportDialog.js';
import type { DialogDeps } from './deps.js';
import type { FlowDialog } from './flowDialog.js';
import { PasswordRulesDialog } from './passwordRulesDialog.js';
import { RegisterDialog } from './registerDialog.js';

export function createFlows(deps: DialogDeps): FlowDialog[] {
  return [
    new RegisterDialog(deps),
    new AccountHelpDialog('forgotPassword', deps),
    new AccountHelpDialog('forgotUsername', deps),
    new AccountHelpDialog('unlock', deps),
    new PasswordRulesDialog(deps),
    new AppDialog(deps),
    new FaqDialog(deps),
    new ReportDialog(deps),
    new HumanDialog(deps),
  ];
}
