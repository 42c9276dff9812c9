// The base of every flow: knows its flow id (for "we're in the middle of ...") and offers help for the
// step the user is on. Help, cancel and menu themselves are handled once, by the main dialog, for all flows.
import { ComponentDialog, type DialogContext } from 'botbuilder-dialogs';
import type { TextKey } from '../content/content.js';
import type { DialogDeps } from './deps.js';
import type { FlowId } from './flowIds.js';

export abstract class FlowDialog extends ComponentDialog {
  readonly flow: FlowId;
  protected readonly deps: DialogDeps;
  /** Help text for a prompt, by the prompt's dialog id; steps without an entry get the general in-flow help. */
  protected readonly stepHelp = new Map<string, TextKey>();
  /** Prompts (dialog ids) that take "speak to someone" as an answer of their own rather than a new request. */
  protected readonly personSteps = new Set<string>();

  constructor(flow: FlowId, deps: DialogDeps) {
    super(flow);
    this.flow = flow;
    this.deps = deps;
  }

  /** Whether the step the user is on answers a request for a person itself (given this flow's inner context). */
  handlesPersonRequest(innerDc: DialogContext | undefined): boolean {
    let dc = innerDc;
    while (dc?.child) dc = dc.child;
    const id = dc?.activeDialog?.id;
    return id !== undefined && this.personSteps.has(id);
  }

  /** What to say when someone types "help" during this flow. */
  helpText(innerDc: DialogContext): string {
    // A flow running inside this one (setting a password on the way to the app) knows its own steps best.
    const inner = innerDc.activeDialog ? this.findDialog(innerDc.activeDialog.id) : undefined;
    if (inner instanceof FlowDialog && innerDc.child) return inner.helpText(innerDc.child);
    const c = this.deps.content(innerDc.context);
    const key = innerDc.activeDialog ? this.stepHelp.get(innerDc.activeDialog.id) : undefined;
    const inFlow = c.t('help.inFlow', { flowName: c.t(`flowNames.${this.flow}`) });
    return key ? `${c.t(key)}\n\n${inFlow}` : inFlow;
  }
}
