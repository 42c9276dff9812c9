// "Report a problem" and "Speak to someone". Report: what they were doing, what happened, the exact error,
// and screenshots; then one check before it is sent. Who they are and where they were the bot already
// knows, so it does not ask. Speak to someone opens (or reuses) a ticket straight away.
import { MessageFactory } from 'botbuilder-core';
import { TextPrompt, WaterfallDialog, type PromptValidatorContext, type WaterfallStepContext } from 'botbuilder-dialogs';
import { choiceCard, infoCard } from '../cards/cards.js';
import { asAttachment } from '../cards/render.js';
import type { DialogDeps, PendingScreenshot, ReportCategory, ReportInput, ReportOutcome } from './deps.js';
import { FlowDialog } from './flowDialog.js';
import type { FlowId } from './flowIds.js';
import { tokenise } from './intents.js';
import { turnAccounts } from './turnAccounts.js';
import { AnyMessagePrompt, type AnyMessage } from './prompts.js';
import { sendCard, sendText } from './replies.js';

/** The confirm step's answer when they ask for a person: the report is sent, asking for one. */
const PERSON = 'person';

const CATEGORIES: ReportCategory[] = ['login', 'app', 'payslip', 'training', 'other'];

export interface ReportOptions {
  /** The flow the user was in when they asked, for the ticket's context. */
  fromFlow?: FlowId;
  /** The step of that flow (a dialog id), for "where it failed". */
  fromStep?: string;
}

interface Draft {
  category?: ReportCategory;
  description?: string;
  errorMessage?: string;
  screenshots: PendingScreenshot[];
  fromFlow?: FlowId;
  fromStep?: string;
}

const draftOf = (step: WaterfallStepContext) => step.values as Draft;

const SCREENSHOT_LOOP = 'report.screenshotLoop';
interface LoopState {
  screenshots: PendingScreenshot[];
  /** After the first round, the question is not repeated. */
  asked?: boolean;
}

export class ReportDialog extends FlowDialog {
  readonly #ids: Record<'category' | 'description' | 'error' | 'screenshots' | 'confirm' | 'steps', string>;

  constructor(deps: DialogDeps) {
    super('report', deps);
    this.#ids = { category: 'report.category', description: 'report.description', error: 'report.error', screenshots: 'report.screenshots', confirm: 'report.confirm', steps: 'report.steps' };
    this.addDialog(new TextPrompt(this.#ids.category, this.#validateCategory.bind(this)));
    this.addDialog(new TextPrompt(this.#ids.description, this.#validateDescription.bind(this)));
    this.addDialog(new TextPrompt(this.#ids.error));
    this.addDialog(new AnyMessagePrompt(this.#ids.screenshots));
    this.addDialog(new WaterfallDialog(SCREENSHOT_LOOP, [this.#screenshotPrompt.bind(this), this.#screenshotReceived.bind(this)]));
    this.addDialog(new TextPrompt(this.#ids.confirm, this.#validateConfirm.bind(this)));
    this.addDialog(
      new WaterfallDialog(this.#ids.steps, [
        this.#askCategory.bind(this),
        this.#askDescription.bind(this),
        this.#askError.bind(this),
        this.#askScreenshots.bind(this),
        this.#confirm.bind(this),
        this.#send.bind(this),
      ]),
    );
    this.initialDialogId = this.#ids.steps;
    for (const id of ['category', 'description', 'error', 'confirm'] as const) this.stepHelp.set(this.#ids[id], 'report.help');
    this.stepHelp.set(SCREENSHOT_LOOP, 'report.screenshotsHelp');
    this.personSteps.add(this.#ids.confirm);
  }

  async #askCategory(step: WaterfallStepContext<ReportOptions>) {
    const c = this.deps.content(step.context);
    const draft = draftOf(step);
    draft.screenshots = [];
    if (step.options?.fromFlow) draft.fromFlow = step.options.fromFlow;
    if (step.options?.fromStep) draft.fromStep = step.options.fromStep;
    await sendText(step.context, c.t('report.intro'));
    const card = choiceCard({ text: c.t('report.askCategory'), choices: CATEGORIES.map((id) => ({ label: c.t(`report.categories.${id}`), value: c.t(`report.categories.${id}`) })) });
    return step.prompt(this.#ids.category, { prompt: MessageFactory.attachment(asAttachment(card)), retryPrompt: c.t('report.badCategory') });
  }

  async #askDescription(step: WaterfallStepContext) {
    draftOf(step).category = step.result as ReportCategory;
    return step.prompt(this.#ids.description, { prompt: this.deps.content(step.context).t('report.askDescription') });
  }

  async #askError(step: WaterfallStepContext) {
    const c = this.deps.content(step.context);
    draftOf(step).description = String(step.result).trim().slice(0, 4000);
    const card = choiceCard({ text: c.t('report.askError'), choices: [{ label: c.t('common.skip'), value: 'skip' }] });
    return step.prompt(this.#ids.error, { prompt: MessageFactory.attachment(asAttachment(card)) });
  }

  async #askScreenshots(step: WaterfallStepContext) {
    const typed = String(step.result ?? '').trim();
    if (typed && !isSkip(typed, this.deps.content(step.context).list('accountHelp.skipWords'))) draftOf(step).errorMessage = typed.slice(0, 2000);
    return step.beginDialog(SCREENSHOT_LOOP, { screenshots: [] } satisfies LoopState);
  }

  async #screenshotPrompt(step: WaterfallStepContext<LoopState>) {
    const c = this.deps.content(step.context);
    if (step.options.asked) return step.prompt(this.#ids.screenshots, {});
    const card = choiceCard({
      text: c.t('report.askScreenshots', { max: this.deps.desk.maxScreenshots, maxMb: this.deps.desk.maxScreenshotMb }),
      choices: [
        { label: c.t('report.done'), value: 'done' },
        { label: c.t('common.skip'), value: 'skip' },
      ],
    });
    return step.prompt(this.#ids.screenshots, { prompt: MessageFactory.attachment(asAttachment(card)) });
  }

  // Each message with images adds to the list (refusals are explained, the rest kept); "done" or "skip"
  // moves on, as does reaching the maximum.
  async #screenshotReceived(step: WaterfallStepContext<LoopState>) {
    const c = this.deps.content(step.context);
    const desk = this.deps.desk;
    const message = step.result as AnyMessage;
    const screenshots = [...step.options.screenshots];
    if (message.attachments > 0) {
      const { accepted, refused } = await desk.collectScreenshots(step.context, screenshots.length);
      for (const r of refused) await sendText(step.context, c.t(`report.refused.${r.reason as 'too_large'}`, { name: r.name, max: desk.maxScreenshots, maxMb: desk.maxScreenshotMb }));
      for (const s of accepted) {
        screenshots.push(s);
        await sendText(step.context, c.t('report.gotScreenshot', { name: s.name, size: formatSize(s.bytes), count: screenshots.length, max: desk.maxScreenshots }));
      }
      if (screenshots.length >= desk.maxScreenshots) return step.endDialog(screenshots);
    }
    const text = message.text.toLowerCase();
    if (text === 'done' || text === c.t('report.done').toLowerCase() || isSkip(text, c.list('accountHelp.skipWords'))) return step.endDialog(screenshots);
    if (message.attachments === 0) await sendText(step.context, c.t('report.screenshotsHelp'));
    return step.replaceDialog(SCREENSHOT_LOOP, { screenshots, asked: true } satisfies LoopState);
  }

  async #confirm(step: WaterfallStepContext) {
    const c = this.deps.content(step.context);
    const draft = draftOf(step);
    draft.screenshots = (step.result as PendingScreenshot[] | undefined) ?? [];
    const profile = await this.deps.profiles.resolve(step.context);
    const accounts = await turnAccounts(this.deps, step.context);
    const who = [profile.displayName, accounts.map((a) => a.record.username).join(', ')].filter(Boolean).join(', ');
    const summary = [
      `**${c.t('report.summary.category')}:** ${c.t(`report.categories.${draft.category!}`)}`,
      `**${c.t('report.summary.description')}:** ${draft.description!}`,
      `**${c.t('report.summary.error')}:** ${draft.errorMessage ?? c.t('report.summary.none')}`,
      `**${c.t('report.summary.screenshots')}:** ${draft.screenshots.length ? draft.screenshots.map((s) => s.name).join(', ') : c.t('report.summary.none')}`,
      ...(who ? [`**${c.t('report.summary.you')}:** ${who}`] : []),
    ];
    const card = choiceCard({
      title: c.t('report.confirmTitle'),
      text: summary.join('\n\n'),
      choices: [
        { label: c.t('report.send'), value: 'send' },
        { label: c.t('report.cancel'), value: 'cancel' },
      ],
    });
    // The reminder names the buttons, so it comes with them.
    return step.prompt(this.#ids.confirm, { prompt: MessageFactory.attachment(asAttachment(card)), retryPrompt: MessageFactory.attachment(asAttachment(card), c.t('report.askConfirm')) });
  }

  async #send(step: WaterfallStepContext) {
    const draft = draftOf(step);
    const outcome = await this.deps.desk.submit(step.context, {
      category: draft.category!,
      description: draft.description!,
      ...(draft.errorMessage ? { errorMessage: draft.errorMessage } : {}),
      screenshots: draft.screenshots,
      context: { ...(draft.fromFlow ? { flow: draft.fromFlow } : {}), ...(draft.fromStep ? { step: draft.fromStep } : {}) },
      wantsPerson: step.result === PERSON,
    } satisfies ReportInput);
    await sendOutcome(this.deps, step, outcome);
    return step.endDialog();
  }

  async #validateCategory(prompt: PromptValidatorContext<string>): Promise<boolean> {
    const c = this.deps.content(prompt.context);
    const typed = tokenise(prompt.recognized.value ?? '').join(' ');
    const match = CATEGORIES.find((id) => tokenise(c.t(`report.categories.${id}`)).join(' ') === typed || id === typed);
    if (!match) return Promise.resolve(false);
    prompt.recognized.value = match;
    return Promise.resolve(true);
  }

  async #validateDescription(prompt: PromptValidatorContext<string>): Promise<boolean> {
    const text = (prompt.recognized.value ?? '').trim();
    if (tokenise(text).length >= 2) return true;
    await sendText(prompt.context, this.deps.content(prompt.context).t('report.shortDescription'));
    return false;
  }

  async #validateConfirm(prompt: PromptValidatorContext<string>): Promise<boolean> {
    const text = (prompt.recognized.value ?? '').trim().toLowerCase();
    if (this.deps.intents(prompt.context).recognise(text)?.intent === 'human') {
      prompt.recognized.value = PERSON;
      return Promise.resolve(true);
    }
    return Promise.resolve(text === 'send' || text === this.deps.content(prompt.context).t('report.send').toLowerCase());
  }
}

export async function sendOutcome(deps: DialogDeps, step: WaterfallStepContext, outcome: ReportOutcome): Promise<void> {
  const c = deps.content(step.context);
  const team = c.t(outcome.team === 'leadEmployer' ? 'report.teamLeadEmployer' : 'report.teamWorkforce');
  const lines = [
    ...(outcome.reused ? [c.t('report.reused', { ref: outcome.ref })] : []),
    c.t(outcome.teamIsIn ? 'report.sentIn' : 'report.sentOut', { ref: outcome.ref, team, nextOpening: outcome.nextOpening }),
    ...(outcome.team === 'leadEmployer' ? [c.t('report.leadEmployerNote')] : []),
  ];
  await sendCard(step.context, infoCard(c, { title: c.t('report.sentTitle', { ref: outcome.ref }), items: lines }));
}

function isSkip(text: string, skipWords: string[]): boolean {
  const t = tokenise(text).join(' ');
  return skipWords.some((w) => tokenise(w).join(' ') === t);
}

function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}
