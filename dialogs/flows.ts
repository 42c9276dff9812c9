// Every flow the main dialog can start, one dialog per file.
import { AppDialog } from './appDialog.js';
import type { DialogDeps } from './deps.js';
import type { FlowDialog } from './flowDialog.js';
import { PasswordRulesDialog } from './passwordRulesDialog.js';

export function createFlows(deps: DialogDeps): FlowDialog[] {
  return [new PasswordRulesDialog(deps), new AppDialog(deps)];
}
