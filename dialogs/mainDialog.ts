// The router: reads what the user wants (a menu button or free text) and starts that flow; and, while a
// flow is running, handles "help", "cancel", "menu", "speak to someone" and menu buttons at any step.
import type { StatePropertyAccessor, TurnContext } from 'botbuilder-core';
import {
  ComponentDialog,
  Dialog,
  DialogSet,
  DialogTurnStatus,
  WaterfallDialog,
  type DialogContext,
  type DialogTurnResult,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { homeCard, noticeCard } from '../cards/cards.js';
import { asAttachment } from '../cards/render.js';
import { replaceCard } from './prompts.js';
import { againstRealEsr, type DialogDeps } from './deps.js';
import type { FlowDialog } from './flowDialog.js';
import { FAQ_PREFIX, isFlowId, type FlowId } from './flowIds.js';
import { sendCard, sendText } from './replies.js';
import { didYouMeanCard, recordMissed, SOMETHING_ELSE, whichCard } from './clarify.js';

export const MAIN_DIALOG = 'main';
const WATERFALL = 'main.route';

export type Route =
  | { kind: 'flow'; flow: FlowId; topic?: string; chosen?: { said: string; choice: string } }
  | { kind: 'didYouMean'; candidates: string[] }
  | { kind: 'which' }
  | { kind: 'somethingElse'; said: string }
  | { kind: 'help' | 'cancel' | 'menu' | 'greeting' | 'thanks' | 'unknown' | 'empty' };

/** A flow or a common question's intent as a route. */
function intentRoute(intent: string): Extract<Route, { kind: 'flow' }> | undefined {
  if (isFlowId(intent)) return { kind: 'flow', flow: intent };
  if (intent.startsWith(FAQ_PREFIX)) return { kind: 'flow', flow: 'faq', topic: intent.slice(FAQ_PREFIX.length) };
  return undefined;
}

/** What a flow may end with. */
export interface FlowResult {
  selfServed?: boolean;
  registered?: string;
}

export interface MainOptions {
  flow?: FlowId;
  /** For the common-questions flow: the answer to open. */
  topic?: string;
  /** The flow the user left for this one ("speak to someone" from the middle of a reset). */
  fromFlow?: FlowId;
  /** The step of that flow they were on. */
  fromStep?: string;
}

/** Reads a turn: a button's data wins over text; text goes through the understander. */
export function routeOf(context: TurnContext, deps: DialogDeps): Route {
  const value = context.activity.value as { action?: unknown; flow?: unknown; choice?: unknown; said?: unknown } | undefined;
  if (value && value.action === 'flow' && isFlowId(value.flow)) return { kind: 'flow', flow: value.flow };
  if (value && value.action === 'didYouMean' && typeof value.choice === 'string') {
    const said = typeof value.said === 'string' ? value.said : '';
    if (value.choice === SOMETHING_ELSE) return { kind: 'somethingElse', said };
    const route = intentRoute(value.choice);
    if (route) return { ...route, chosen: { said, choice: value.choice } };
  }
  const text = (context.activity.text ?? '').trim();
  if (!text) return { kind: 'empty' };
  // A menu button's label typed or echoed back ("Forgotten password") goes straight to its flow.
  const understood = deps.intents(context).understand(text);
  switch (understood.kind) {
    case 'command':
      return { kind: understood.intent };
    case 'answer':
      return intentRoute(understood.intent) ?? { kind: 'unknown' };
    case 'diagnosis':
      return understood.action.kind === 'flow' ? (intentRoute(understood.action.flow) ?? { kind: 'unknown' }) : { kind: 'which' };
    case 'ask':
      return { kind: 'didYouMean', candidates: understood.candidates };
    default:
      return { kind: 'unknown' };
  }
}

export class MainDialog extends ComponentDialog {
  readonly #deps: DialogDeps;
  readonly #flows = new Map<FlowId, FlowDialog>();

  constructor(deps: DialogDeps, flows: FlowDialog[]) {
    super(MAIN_DIALOG);
    this.#deps = deps;
    for (const flow of flows) {
      this.#flows.set(flow.flow, flow);
      this.addDialog(flow);
    }
    this.addDialog(new WaterfallDialog(WATERFALL, [this.#route.bind(this), this.#afterFlow.bind(this)]));
    this.initialDialogId = WATERFALL;
  }

  /** Runs a turn: continues the active flow, or starts routing afresh. */
  async run(context: TurnContext, accessor: StatePropertyAccessor): Promise<void> {
    const set = new DialogSet(accessor);
    set.add(this);
    const dc = await set.createContext(context);
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog(this.id);
  }

  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    const interrupted = await this.#interrupt(innerDc);
    return interrupted ?? super.onContinueDialog(innerDc);
  }

  // Only short, clear commands interrupt a flow, so an answer like "I got an error when I tried to reset
  // it" is not mistaken for a new request. Menu buttons always switch.
  async #interrupt(innerDc: DialogContext): Promise<DialogTurnResult | undefined> {
    const context = innerDc.context;
    if (context.activity.type !== 'message') return undefined;
    const c = this.#deps.content(innerDc.context);
    const route = routeOf(context, this.#deps);
    const active = this.#activeFlow(innerDc);
    switch (route.kind) {
      case 'help':
        await sendText(context, active ? active.helpText(innerDc.child ?? innerDc) : c.t(helpKey(this.#deps)));
        await innerDc.repromptDialog();
        return Dialog.EndOfTurn;
      case 'cancel':
        await innerDc.cancelAllDialogs();
        // The Cancel button of a form: clear the form too, so nothing typed lingers on it.
        if ((context.activity.value as { action?: unknown } | undefined)?.action === 'cancel') {
          await replaceCard(context, context.activity.replyToId, asAttachment(noticeCard({ title: c.t('common.cancelButton'), text: c.t('guard.formCancelled') })));
        }
        await sendText(context, c.t('cancel.done', { flowName: active ? c.t(`flowNames.${active.flow}`) : c.t('flowNames.human') }));
        return { status: DialogTurnStatus.complete };
      case 'menu':
        await innerDc.cancelAllDialogs();
        await sendCard(context, homeCard(c));
        return { status: DialogTurnStatus.complete };
      case 'flow': {
        const action = (context.activity.value as { action?: unknown } | undefined)?.action;
        const isButton = action === 'flow' || action === 'didYouMean';
        if (route.chosen) recordMissed(this.#deps, context, 'choice', route.chosen.said, route.chosen.choice);
        const wantsPerson = route.flow === 'human' && (context.activity.text ?? '').trim().split(/\s+/).length <= 4;
        if (!isButton && !wantsPerson) return undefined;
        // "Speak to someone" at "Send this to the team?" sends the report to a person rather than dropping it.
        if (!isButton && active?.handlesPersonRequest(innerDc.child)) return undefined;
        if (active?.flow === route.flow && isButton) return undefined;
        // Where they were ("forgotPassword / forgotPassword.dateOfBirth") goes with a report or a request for a person.
        const fromStep = innerDc.child?.activeDialog?.id;
        await innerDc.cancelAllDialogs();
        return innerDc.beginDialog(WATERFALL, { flow: route.flow, ...(route.topic ? { topic: route.topic } : {}), ...(active ? { fromFlow: active.flow } : {}), ...(active && fromStep ? { fromStep } : {}) } satisfies MainOptions);
      }
      default:
        return undefined;
    }
  }

  #activeFlow(innerDc: DialogContext): FlowDialog | undefined {
    const id = innerDc.activeDialog?.id;
    return id && isFlowId(id) ? this.#flows.get(id) : undefined;
  }

  async #route(step: WaterfallStepContext<MainOptions>): Promise<DialogTurnResult> {
    const context = step.context;
    const c = this.#deps.content(step.context);
    const route: Route = step.options?.flow ? { kind: 'flow', flow: step.options.flow, ...(step.options.topic ? { topic: step.options.topic } : {}) } : routeOf(context, this.#deps);
    switch (route.kind) {
      case 'flow':
        if (route.chosen) recordMissed(this.#deps, context, 'choice', route.chosen.said, route.chosen.choice);
        if (this.#flows.has(route.flow)) {
          (step.values as { flow?: FlowId }).flow = route.flow;
          this.#recordUsage(route.flow, 'started');
        }
        if (this.#flows.has(route.flow)) return step.beginDialog(route.flow, { ...(route.topic ? { topic: route.topic } : {}), ...(step.options?.fromFlow ? { fromFlow: step.options.fromFlow } : {}), ...(step.options?.fromStep ? { fromStep: step.options.fromStep } : {}) });
        await sendCard(context, homeCard(c));
        return step.endDialog();
      case 'help':
        await sendText(context, c.t(helpKey(this.#deps)));
        return step.endDialog();
      case 'cancel':
        await sendText(context, c.t('cancel.nothing'));
        return step.endDialog();
      case 'menu':
        await sendCard(context, homeCard(c));
        return step.endDialog();
      case 'greeting': {
        const profile = await this.#deps.profiles.resolve(context);
        const name = profile.givenName ?? profile.displayName?.split(' ')[0];
        await sendText(context, c.t('fallback.greeting', { nameSuffix: name ? ` ${name}` : '' }));
        await sendCard(context, homeCard(c));
        return step.endDialog();
      }
      case 'thanks':
        await sendText(context, c.t('fallback.thanks'));
        return step.endDialog();
      case 'empty':
        await sendText(context, c.t('fallback.nonText'));
        await sendCard(context, homeCard(c));
        return step.endDialog();
      case 'didYouMean':
        await sendCard(context, didYouMeanCard(this.#deps, context, route.candidates, context.activity.text ?? ''));
        return step.endDialog();
      case 'which':
        await sendCard(context, whichCard(this.#deps, context));
        return step.endDialog();
      case 'somethingElse':
        recordMissed(this.#deps, context, 'somethingElse', route.said);
        await sendText(context, c.t('understanding.didYouMean.somethingElseReply'));
        await sendCard(context, homeCard(c));
        return step.endDialog();
      default:
        // Kept (redacted) so the Trust sees what staff ask that the bot cannot answer yet.
        if (route.kind === 'unknown') recordMissed(this.#deps, context, 'fallback', context.activity.text ?? '');
        await sendText(context, c.t('fallback.notUnderstood'));
        await sendCard(context, homeCard(c));
        return step.endDialog();
    }
  }

  // Figures for the dashboard: not worth making anyone wait for, and never worth failing a turn over.
  #recordUsage(flow: FlowId, kind: 'started' | 'self_served'): void {
    this.#deps.usage.record({ at: this.#deps.clock.now().toISOString(), flow, kind }).catch(() => undefined);
  }

  // Flows end with { selfServed: true } when the person got what they came for without a ticket.
  async #afterFlow(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const flow = (step.values as { flow?: FlowId }).flow;
    if (flow && (step.result as FlowResult | undefined)?.selfServed) {
      this.#recordUsage(flow, 'self_served');
    }
    return step.endDialog(step.result);
  }
}

// The simulated ESR offers a password box; against the real ESR the bot never takes a password.
function helpKey(deps: DialogDeps): 'help.generalGuided' | 'help.general' {
  return againstRealEsr(deps.settings) ? 'help.generalGuided' : 'help.general';
}
