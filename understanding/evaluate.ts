// Measures understanding against a file of phrasings: each line {"text", "expect"}, where expect is one label
// (a flow id, faq:<id>, a command or "none") or a list of acceptable labels. Pure: the caller supplies the
// classifier, so the same scoring serves the script, the suite and a before/after comparison.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

/** What the bot did with a message: answered, asked which (did-you-mean or a diagnosis question), or fell back. */
export type Outcome = { kind: 'answer'; label: string } | { kind: 'ask'; labels: string[] } | { kind: 'none' };

export interface EvalCase {
  text: string;
  expect: string[];
}

const lineSchema = z.object({ text: z.string().min(1), expect: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]) });

export async function readCases(file: string): Promise<EvalCase[]> {
  const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l.trim() !== '');
  const cases: EvalCase[] = [];
  lines.forEach((line, i) => {
    const data = JSON.parse(line) as Record<string, unknown>;
    if ('_comment' in data) return;
    const parsed = lineSchema.safeParse(data);
    if (!parsed.success) throw new Error(`${file} line ${i + 1}: ${parsed.error.issues[0]?.message ?? 'bad line'}`);
    cases.push({ text: parsed.data.text, expect: [parsed.data.expect].flat() });
  });
  return cases;
}

export type Verdict = 'right' | 'wrong' | 'notUnderstood';

/**
 * Right: answered with an expected label, or asked a question whose choices include every expected label
 * (for one expected label: that label among the choices), or fell back when "none" was expected.
 * Not understood: fell back when something was expected. Wrong: anything else (a confident wrong answer, a
 * question without the right choice, or any answer to something the bot should not claim to understand).
 */
export function judge(outcome: Outcome, expect: string[]): Verdict {
  const wantsNone = expect.includes('none');
  if (outcome.kind === 'none') return wantsNone ? 'right' : 'notUnderstood';
  if (outcome.kind === 'answer') return expect.includes(outcome.label) ? 'right' : 'wrong';
  const real = expect.filter((e) => e !== 'none');
  if (real.length === 0) return 'wrong';
  return real.length === 1 ? (outcome.labels.includes(real[0]!) ? 'right' : 'wrong') : real.every((e) => outcome.labels.includes(e)) || (outcome.labels.length > 0 && outcome.labels.every((l) => real.includes(l))) ? 'right' : 'wrong';
}

export interface EvalReport {
  total: number;
  right: number;
  wrong: number;
  notUnderstood: number;
  /** Of the right ones, how many needed a question first. */
  rightAfterQuestion: number;
  /** expected → got, with counts, most frequent first. */
  confusions: Array<{ expected: string; got: string; count: number }>;
  misses: Array<{ text: string; expected: string; got: string }>;
}

export function evaluate(cases: EvalCase[], classify: (text: string) => Outcome): EvalReport {
  const report: EvalReport = { total: cases.length, right: 0, wrong: 0, notUnderstood: 0, rightAfterQuestion: 0, confusions: [], misses: [] };
  const pairs = new Map<string, number>();
  for (const c of cases) {
    const outcome = classify(c.text);
    const verdict = judge(outcome, c.expect);
    report[verdict]++;
    if (verdict === 'right') {
      if (outcome.kind === 'ask') report.rightAfterQuestion++;
      continue;
    }
    const got = outcome.kind === 'answer' ? outcome.label : outcome.kind === 'ask' ? `ask(${outcome.labels.join('/')})` : 'none';
    const expected = c.expect.join('|');
    pairs.set(`${expected}\t${got}`, (pairs.get(`${expected}\t${got}`) ?? 0) + 1);
    report.misses.push({ text: c.text, expected, got });
  }
  report.confusions = [...pairs.entries()].map(([k, count]) => ({ expected: k.split('\t')[0]!, got: k.split('\t')[1]!, count })).sort((a, b) => b.count - a.count || a.expected.localeCompare(b.expected));
  return report;
}

const pct = (n: number, total: number) => (total === 0 ? '0.0' : ((100 * n) / total).toFixed(1));

/** The printed summary; `showMisses` lists each miss's text (for the tuning file only: never tune on held-out text). */
export function formatReport(name: string, r: EvalReport, showMisses: boolean): string {
  const lines = [
    `${name}: ${r.total} phrasings`,
    `  right          ${r.right} (${pct(r.right, r.total)}%)${r.rightAfterQuestion ? `, of which ${r.rightAfterQuestion} after a clarifying question` : ''}`,
    `  wrong          ${r.wrong} (${pct(r.wrong, r.total)}%)`,
    `  not understood ${r.notUnderstood} (${pct(r.notUnderstood, r.total)}%)`,
  ];
  if (r.confusions.length > 0) lines.push('  confusion pairs (expected -> got):', ...r.confusions.map((p) => `    ${p.count} x ${p.expected} -> ${p.got}`));
  if (showMisses && r.misses.length > 0) lines.push('  misses:', ...r.misses.map((m) => `    "${m.text}": ${m.expected} -> ${m.got}`));
  return lines.join('\n');
}
