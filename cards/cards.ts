// The cards the bot sends, each built from a template and the content layer's words.
import type { Content } from '../content/content.js';
import type { FlowId } from '../dialogs/flowIds.js';
import { MENU_GROUPS } from '../dialogs/flowIds.js';
import type { CardJson } from './render.js';
import { renderCard } from './render.js';

function menuGroups(c: Content) {
  return MENU_GROUPS.map(({ group, flows }) => ({
    caption: c.t(`menu.groups.${group}`),
    flows: flows.map((id) => ({ id, label: c.t(`menu.flows.${id}.label`), description: c.t(`menu.flows.${id}.description`) })),
  }));
}

// The plain menu is the same every time for a given content, and it is sent often: build it once.
const menuCards = new WeakMap<Content, CardJson>();

/** The main menu; with `welcome`, the greeting shown once when someone first meets the bot. */
export function homeCard(c: Content, options: { welcome?: { firstName?: string } } = {}): CardJson {
  const welcome = options.welcome;
  if (!welcome) {
    const cached = menuCards.get(c) ?? buildHome(c, undefined);
    menuCards.set(c, cached);
    return cached;
  }
  return buildHome(c, welcome);
}

function buildHome(c: Content, welcome: { firstName?: string } | undefined): CardJson {
  const nameSuffix = welcome?.firstName ? ` ${welcome.firstName}` : '';
  return renderCard('home', {
    title: welcome ? c.t('welcome.title', { nameSuffix }) : c.t('menu.title'),
    intro: welcome ? c.t('welcome.body') : '',
    tips: welcome ? c.t('welcome.tips') : '',
    fallback: welcome ? c.t('welcome.fallback') : c.t('menu.fallback'),
    groups: menuGroups(c),
    // "Cymraeg" on the English menu, "English" on the Welsh one: each in its own language.
    languageLabel: c.t('language.switchButton'),
    languageTarget: c.locale === 'cy-GB' ? 'en-GB' : 'cy-GB',
  });
}

export interface InfoCardData {
  title: string;
  intro?: string;
  items?: string[];
  footer?: string;
  /** Follow-on flows offered as buttons. */
  next?: FlowId[];
  fallback?: string;
  /** A warning shown under the title (the training-copy notice), in the attention colour. */
  notice?: CardNotice;
}

export interface CardNotice {
  label: string;
  text: string;
}

/** The simulated ESR's notice: a training copy that changes no real account. */
export function trainingNotice(c: Content): CardNotice {
  return { label: c.t('trainingCopy.label'), text: c.t('trainingCopy.notice') };
}

const noticeFields = (notice: CardNotice | undefined) => ({ noticeLabel: notice?.label ?? '', noticeText: notice?.text ?? '' });
const noticeFallback = (notice: CardNotice | undefined) => (notice ? `${notice.label.toUpperCase()}: ${notice.text}` : '');

/** A titled block of text with optional bullet-like lines and follow-on buttons. */
export function infoCard(c: Content, data: InfoCardData): CardJson {
  const items = data.items ?? [];
  return renderCard('info', {
    title: data.title,
    intro: data.intro ?? '',
    items: items.map((text) => ({ text })),
    footer: data.footer ?? '',
    buttons: (data.next ?? []).map((id) => ({ id, label: c.t(`menu.flows.${id}.label`) })),
    ...noticeFields(data.notice),
    fallback: [noticeFallback(data.notice), data.fallback ?? [data.title, data.intro, ...items, data.footer].filter(Boolean).join('\n')].filter(Boolean).join('\n'),
  });
}

export function passwordRulesCard(c: Content, rules: { minLength: number; historySize: number; maxLength: number }, next: FlowId[] = []): CardJson {
  return infoCard(c, {
    title: c.t('password.rulesTitle'),
    items: c.list('password.rules', rules).map((rule) => `• ${rule}`),
    footer: c.t('password.rulesFooter', rules),
    next,
  });
}

export interface Choice {
  label: string;
  /** What comes back as the message text (and `value.choice`) when chosen. */
  value: string;
}

/** A question with buttons; each answer also works typed, since the button sends its value as text. */
export function choiceCard(data: { title?: string; text: string; choices: Choice[] }): CardJson {
  return renderCard('choice', {
    title: data.title ?? '',
    text: data.text,
    choices: data.choices,
    fallback: `${data.text} (${data.choices.map((ch) => ch.label).join(' / ')})`,
  });
}

export interface PasswordFormData {
  title: string;
  intro: string;
  /** Problems with the last attempt, shown above the boxes. */
  errors?: string[];
  /** Sent back as `value.action` on submit. */
  submitAction: string;
  rules: { minLength: number; historySize: number; maxLength: number };
  notice?: CardNotice;
}

/** Two masked password boxes with the rules beside them; the only way a password enters the chat. */
export function passwordFormCard(c: Content, data: PasswordFormData): CardJson {
  const errors = data.errors ?? [];
  return renderCard('passwordForm', {
    title: data.title,
    intro: data.intro,
    errors: errors.map((text) => ({ text })),
    errorTitle: c.t('register.rejectedTitle'),
    newLabel: c.t('register.newPasswordLabel'),
    confirmLabel: c.t('register.confirmPasswordLabel'),
    newRequired: c.t('register.passwordRequired'),
    confirmRequired: c.t('register.confirmRequired'),
    rulesTitle: c.t('password.rulesTitle'),
    rules: c.list('password.rules', data.rules).map((text) => ({ text })),
    submitLabel: c.t('register.submit'),
    cancelLabel: c.t('register.cancel'),
    submitAction: data.submitAction,
    ...noticeFields(data.notice),
    fallback: [noticeFallback(data.notice), `${data.title}. ${c.t('register.typeInCard')}`].filter(Boolean).join('\n'),
  });
}

/** A short read-only card, used to replace a form once it has been submitted. */
export function noticeCard(data: { title: string; text: string; tone?: 'good' | 'attention' | 'default' }): CardJson {
  const color = data.tone === 'good' ? 'Good' : data.tone === 'attention' ? 'Attention' : 'Default';
  return renderCard('notice', { title: data.title, text: data.text, color, fallback: `${data.title}. ${data.text}` });
}

/** After a live chat: helpful / not helpful, with an optional comment. */
export function ratingCard(c: Content, ticket: { id: number; ref: string }): CardJson {
  return renderCard('rating', {
    title: c.t('live.rateTitle'),
    text: c.t('live.rateText', { ref: ticket.ref }),
    commentLabel: c.t('live.commentLabel'),
    helpful: c.t('live.helpful'),
    notHelpful: c.t('live.notHelpful'),
    ticketId: ticket.id,
    fallback: `${c.t('live.rateText', { ref: ticket.ref })} (${c.t('live.helpful')} / ${c.t('live.notHelpful')})`,
  });
}

/** One button of a "did you mean" or "which" question. */
export interface ClarifyChoice {
  label: string;
  /** `flow` starts `flow` (as the menu's buttons do); `didYouMean` records `choice` against `said`, then goes there. */
  action: 'flow' | 'didYouMean';
  flow?: string;
  choice?: string;
  /** What the person typed (redacted), sent back so the choice can be recorded against it. */
  said?: string;
}

/** A short question whose buttons each lead somewhere: "did you mean…" or "which do you not remember?". */
export function clarifyCard(data: { title: string; text: string; choices: ClarifyChoice[]; fallback: string }): CardJson {
  return renderCard('didYouMean', {
    title: data.title,
    text: data.text,
    choices: data.choices.map((ch) => ({ label: ch.label, action: ch.action, flow: ch.flow ?? '', choice: ch.choice ?? '', said: ch.said ?? '' })),
    fallback: data.fallback,
  });
}
