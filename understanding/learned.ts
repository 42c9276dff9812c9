// A small learned classifier over the project's own terms: an averaged perceptron (multiclass, one weight per
// feature and label) trained at start-up from labelled phrasings: the phrase lists and the written-blind
// examples in content/examples.*.jsonl. It generalises from many wordings where the phrase lists need a phrase
// for each. Deterministic: examples are taken in the order given, over a fixed number of passes, and a tie goes
// to the label seen first.
import type { TermPipeline } from './text.js';

export interface LabelledText {
  text: string;
  label: string;
}

export interface Classification {
  label: string;
  /** The winner's share of the softmax over all labels' scores, 0 to 1. */
  confidence: number;
}

export const LEARNING = {
  /** Passes over the examples (fewer if a pass makes no mistake). */
  epochs: 5,
  /** How much a word pair counts beside a single term. */
  bigramWeight: 0.6,
  /** How much a character 4-gram counts: they are many, and only help with typos. */
  charWeight: 0,
};

export class LearnedClassifier {
  readonly #pipeline: TermPipeline;
  readonly #labels: string[] = [];
  readonly #featureIds = new Map<string, number>();
  /** Averaged weights, feature-major: weights[feature * labels + label]. */
  #weights = new Float64Array(0);

  constructor(pipeline: TermPipeline, examples: readonly LabelledText[]) {
    this.#pipeline = pipeline;
    const labelIndex = new Map<string, number>();
    for (const e of examples) if (!labelIndex.has(e.label)) labelIndex.set(e.label, labelIndex.size);
    this.#labels.push(...labelIndex.keys());
    const data: Array<{ ids: number[]; values: number[]; label: number }> = [];
    for (const e of examples) {
      const f = this.#features(e.text);
      if (f.size === 0) continue;
      const ids: number[] = [];
      for (const k of f.keys()) ids.push(this.#featureIds.get(k) ?? this.#featureIds.set(k, this.#featureIds.size).get(k)!);
      data.push({ ids, values: [...f.values()], label: labelIndex.get(e.label)! });
    }
    this.#train(data);
  }

  /** Terms (stems with synonyms, little words left out), stem pairs (little words kept: "not working") and character 4-grams of longer terms. */
  #features(text: string): Map<string, number> {
    const f = new Map<string, number>();
    const add = (k: string, v: number) => f.set(k, Math.max(f.get(k) ?? 0, v));
    // One tokenisation serves both: terms are the stems without the little words (all of them, if that leaves none).
    const stems = this.#pipeline.stems(text);
    const meaningful = stems.filter((s) => !this.#pipeline.isIgnored(s));
    const terms = meaningful.length > 0 ? meaningful : stems;
    for (const t of terms) add(`w:${t}`, 1);
    for (let i = 0; i + 1 < stems.length; i++) add(`b:${stems[i]!} ${stems[i + 1]!}`, LEARNING.bigramWeight);
    if (LEARNING.charWeight > 0) for (const t of terms) {
      if (t.length < 5) continue;
      const w = `^${t}$`;
      for (let i = 0; i + 4 <= w.length; i++) add(`c:${w.slice(i, i + 4)}`, LEARNING.charWeight);
    }
    return f;
  }

  /** The averaged perceptron, with the usual trick: keep w and u (each update times its step); the average is w - u / steps. */
  #train(data: ReadonlyArray<{ ids: number[]; values: number[]; label: number }>): void {
    const n = this.#labels.length;
    const w = new Float64Array(this.#featureIds.size * n);
    const u = new Float64Array(this.#featureIds.size * n);
    const scores = new Float64Array(n);
    let step = 1;
    for (let epoch = 0; epoch < LEARNING.epochs; epoch++) {
      let mistakes = 0;
      for (const d of data) {
        scores.fill(0);
        for (let j = 0; j < d.ids.length; j++) {
          const base = d.ids[j]! * n;
          const v = d.values[j]!;
          for (let i = 0; i < n; i++) scores[i]! += v * w[base + i]!;
        }
        let best = 0;
        for (let i = 1; i < n; i++) if (scores[i]! > scores[best]!) best = i;
        if (best !== d.label) {
          mistakes++;
          for (let j = 0; j < d.ids.length; j++) {
            const base = d.ids[j]! * n;
            const v = d.values[j]!;
            w[base + d.label]! += v;
            u[base + d.label]! += step * v;
            w[base + best]! -= v;
            u[base + best]! -= step * v;
          }
        }
        step++;
      }
      if (mistakes === 0) break;
    }
    for (let k = 0; k < w.length; k++) w[k] = w[k]! - u[k]! / step;
    this.#weights = w;
  }

  /** The best label and how sure of it the classifier is; undefined for a text with no features it knows. */
  classify(text: string): Classification | undefined {
    const n = this.#labels.length;
    const scores = new Float64Array(n);
    let known = false;
    for (const [k, v] of this.#features(text)) {
      const id = this.#featureIds.get(k);
      if (id === undefined) continue;
      known = true;
      for (let i = 0; i < n; i++) scores[i]! += v * this.#weights[id * n + i]!;
    }
    if (!known) return undefined;
    let best = 0;
    for (let i = 1; i < n; i++) if (scores[i]! > scores[best]!) best = i;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Math.exp(scores[i]! - scores[best]!);
    return { label: this.#labels[best]!, confidence: 1 / sum };
  }
}
