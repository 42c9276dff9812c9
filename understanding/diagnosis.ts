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
} as const satisfies Record<string, DiagnosisAction>;

export type DiagnosisKey = keyof typeof DIAGNOSIS_TABLE;
export type DiagnosisPatterns = Partial<Record<DiagnosisKey, readonly string[]>>;

export interface Diagnosis {
  key: DiagnosisKey;
  action: DiagnosisAction;
}

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

  /** The first pattern whose words all appear in the message in the same order (others may come between). */
  diagnose(text: string): Diagnosis | undefined {
    return this.diagnoseStems(this.#pipeline.stems(text));
  }

  diagnoseStems(stems: string[]): Diagnosis | undefined {
    for (const p of this.#patterns) {
      let at = 0;
      for (const s of stems) if (s === p.stems[at]) at++;
      if (at === p.stems.length) return { key: p.key, action: DIAGNOSIS_TABLE[p.key] };
    }
    return undefined;
  }
}
