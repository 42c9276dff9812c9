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
  epochs: 3,
  /** How much a word pair counts beside a single term. */
  bigramWeight: 0.6,
  /** How much a character 4-gram counts: they are many, and only help with typos. */
  charWeight: 0,
};

export class LearnedClassifier {
  readonly #pipeline: TermPipeline;
  readonly #labels: string[] = [];
  readonly #featureIds = new Map<string, number>();
  /** Averaged weights: for each feature, its weight for each label it was ever updated for. */
  #weights: Array<ReadonlyMap<number, number>> = [];

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

  /**
   * The averaged perceptron, with the usual trick: keep w and u (each update times its step); the average is
   * w - u / steps. Weights are kept sparse (a feature's labels that were ever updated), since with hundreds of
   * common questions most features tell about only a few labels.
   */
  #train(data: ReadonlyArray<{ ids: number[]; values: number[]; label: number }>): void {
    const n = this.#labels.length;
    const w: Array<Map<number, number>> = Array.from({ length: this.#featureIds.size }, () => new Map<number, number>());
    const u: Array<Map<number, number>> = Array.from({ length: this.#featureIds.size }, () => new Map<number, number>());
    const scores = new Float64Array(n);
    const add = (m: Map<number, number>, label: number, v: number) => m.set(label, (m.get(label) ?? 0) + v);
    let step = 1;
    for (let epoch = 0; epoch < LEARNING.epochs; epoch++) {
      let mistakes = 0;
      for (const d of data) {
        const best = this.#best(d.ids, d.values, w, scores);
        if (best !== d.label) {
          mistakes++;
          for (let j = 0; j < d.ids.length; j++) {
            const v = d.values[j]!;
            add(w[d.ids[j]!]!, d.label, v);
            add(u[d.ids[j]!]!, d.label, step * v);
            add(w[d.ids[j]!]!, best, -v);
            add(u[d.ids[j]!]!, best, -step * v);
          }
        }
        step++;
      }
      if (mistakes === 0) break;
    }
    this.#weights = w.map((wf, f) => new Map([...wf].map(([label, v]) => [label, v - u[f]!.get(label)! / step])));
  }

  /** The best-scoring label (the first, on a tie), leaving every label's score in `scores`. */
  #best(ids: readonly number[], values: readonly number[], weights: ReadonlyArray<ReadonlyMap<number, number>>, scores: Float64Array): number {
    scores.fill(0);
    for (let j = 0; j < ids.length; j++) for (const [label, weight] of weights[ids[j]!]!) scores[label]! += values[j]! * weight;
    let best = 0;
    for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
    return best;
  }

  /** The best label and how sure of it the classifier is; undefined for a text with no features it knows. */
  classify(text: string): Classification | undefined {
    const ids: number[] = [];
    const values: number[] = [];
    for (const [k, v] of this.#features(text)) {
      const id = this.#featureIds.get(k);
      if (id === undefined) continue;
      ids.push(id);
      values.push(v);
    }
    if (ids.length === 0) return undefined;
    const scores = new Float64Array(this.#labels.length);
    const best = this.#best(ids, values, this.#weights, scores);
    let sum = 0;
    for (const s of scores) sum += Math.exp(s - scores[best]!);
    return { label: this.#labels[best]!, confidence: 1 / sum };
  }
}
