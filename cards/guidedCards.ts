// The card of one step of a guided flow (ESR's own screens explained, one step per card), with the
// answers as buttons. No inputs: in guided mode nothing secret is ever typed into the bot.
import type { Content } from '../content/content.js';
import type { FlowId } from '../dialogs/flowIds.js';
import type { Choice } from './cards.js';
import type { CardJson } from './render.js';
import { renderCard } from './render.js';

export interface GuidedStepData {
  title: string;
  /** "Step 2 of 3". */
  progress?: string;
  paragraphs?: string[];
  /** Numbered or bulleted lines, already numbered by the caller. */
  items?: string[];
  footer?: string;
  question?: string;
  links?: Array<{ title: string; url: string }>;
  choices?: Choice[];
  /** Follow-on flows offered as buttons. */
  next?: FlowId[];
}

export function guidedStepCard(c: Content, data: GuidedStepData): CardJson {
  const paragraphs = (data.paragraphs ?? []).filter(Boolean);
  const items = data.items ?? [];
  const choices = data.choices ?? [];
  return renderCard('guidedStep', {
    title: data.title,
    progress: data.progress ?? '',
    paragraphs: paragraphs.map((text) => ({ text })),
    items: items.map((text) => ({ text })),
    footer: data.footer ?? '',
    question: data.question ?? '',
    links: data.links ?? [],
    choices,
    buttons: (data.next ?? []).map((id) => ({ id, label: c.t(`menu.flows.${id}.label`) })),
    fallback: [data.title, ...paragraphs, ...items, data.footer, data.question, ...(data.links ?? []).map((l) => `${l.title}: ${l.url}`), choices.length ? `(${choices.map((ch) => ch.label).join(' / ')})` : '']
      .filter(Boolean)
      .join('\n'),
  });
}
