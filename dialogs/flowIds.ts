// The conversations staff can start, and how the menu groups them.
export const FLOW_IDS = ['register', 'forgotPassword', 'forgotUsername', 'unlock', 'passwordRules', 'app', 'faq', 'report', 'human'] as const;
export type FlowId = (typeof FLOW_IDS)[number];

export function isFlowId(value: unknown): value is FlowId {
  return typeof value === 'string' && (FLOW_IDS as readonly string[]).includes(value);
}

export const MENU_GROUPS: ReadonlyArray<{ group: 'access' | 'more'; flows: readonly FlowId[] }> = [
  { group: 'access', flows: ['register', 'forgotPassword', 'forgotUsername', 'unlock', 'passwordRules'] },
  { group: 'more', flows: ['app', 'faq', 'report', 'human'] },
];

/** Intents named `faq:<id>` come from the common-questions file and open that answer. */
export const FAQ_PREFIX = 'faq:';
