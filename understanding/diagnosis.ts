// The ESR messages staff paste or describe, read before any guessing: each pattern (from the content file)
// leads to one flow, or to a short question when the message alone cannot tell (an "invalid username or
// password" is as often a forgotten username as a forgotten password).
import type { TermPipeline } from './text.js';

/** What a recognised message leads to: a flow, or the question "which do you not remember?". */
export type DiagnosisAction = { kind: 'flow'; flow: string } | { kind: 'askWhich' };

/** Which ESR message leads where. The patterns for each live in content (understanding.diagnosis.<key>). */
export const DIAGNOSIS_TABLE = {
  invalidCredentials: { kind: 'askWhich' },
  locked: { kind: 'flow', flow: 'unlock' },
  inactive: { kind: 'flow', flow: 'unlock' },
  noInternetAccess: { kind: 'flow', flow: 'register' },
  linkExpired: { kind: 'flow', flow: 'forgotPassword' },
  // ESR's own error pages ("An unexpected error has occurred", "Internal Server Error", "ORA-06502", a session
  // timing out) are problems to report with a screenshot, whatever page they came from.
  systemError: { kind: 'flow', flow: 'report' },
} as const satisfies Record<string, DiagnosisAction>;

export type DiagnosisKey = keyof typeof DIAGNOSIS_TABLE;
export type DiagnosisPatterns = Partial<Record<DiagnosisKey, readonly string[]>>;

export interface Diagnosis {
  key: DiagnosisKey;
  action: DiagnosisAction;
}

/**
 * The My ESR app's flow: a login message said of the app ("the app says invalid login, the website is fine") is as
 * often the app not set up (no password for use away from work) as a forgotten password, so it is offered too.
 */
export const APP_FLOW = 'app';

/** The choices of the "which do you not remember" question and where each goes. */
export const WHICH_CHOICES = [
  { id: 'password', flow: 'forgotPassword' },
  { id: 'username', flow: 'forgotUsername' },
  // ESR's reset email gives the username with the reset link, so one request covers both.
  { id: 'both', flow: 'forgotPassword' },
  { id: 'locked', flow: 'unlock' },
] as const;

export class Diagnoser {
  readonly #patterns: Array<{ key: DiagnosisKey; stems: string[] }> = [];
  readonly #pipeline: TermPipeline;

  constructor(patterns: DiagnosisPatterns, pipeline: TermPipeline) {
    this.#pipeline = pipeline;
    for (const key of Object.keys(DIAGNOSIS_TABLE) as DiagnosisKey[]) {
      for (const pattern of patterns[key] ?? []) {
        const stems = pipeline.stems(pattern);
        if (stems.length > 0) this.#patterns.push({ key, stems });
      }
    }
    // The most specific pattern first.
    this.#patterns.sort((a, b) => b.stems.length - a.stems.length);
  }

  /**
   * The first pattern whose words all appear in the message in the same order, a few others at most between
   * each two ("account has now been locked"): words far apart belong to different sentences, not to one message
   * ("what time do you close? I'm out tomorrow" is no time-out).
   */
  diagnose(text: string): Diagnosis | undefined {
    return this.diagnoseStems(this.#pipeline.stems(text));
  }

  diagnoseStems(stems: string[]): Diagnosis | undefined {
    for (const p of this.#patterns) if (holdsInOrder(stems, p.stems)) return { key: p.key, action: DIAGNOSIS_TABLE[p.key] };
    return undefined;
  }
}

/** How many words may come between two of a pattern's words. */
export const MAX_GAP = 3;

/** Do the pattern's words appear in order, each within MAX_GAP words of the one before, starting anywhere? */
function holdsInOrder(stems: readonly string[], pattern: readonly string[]): boolean {
  for (let start = 0; start < stems.length; start++) {
    if (stems[start] !== pattern[0]) continue;
    let at = 1;
    let last = start;
    for (let i = start + 1; i < stems.length && at < pattern.length && i - last - 1 <= MAX_GAP; i++) {
      if (stems[i] === pattern[at]) {
        at++;
        last = i;
      }
    }
    if (at === pattern.length) return true;
  }
  return false;
}
