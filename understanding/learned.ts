// A small learned classifier over the project's own terms: multinomial logistic regression (one weight per
// feature and label) trained at start-up by stochastic gradient descent from labelled phrasings: the phrase lists
// and the written-blind examples in content/examples.*.jsonl. It generalises from many wordings where the phrase
// lists need a phrase for each. Deterministic: examples are taken in the order given, over a fixed number of
// passes at a fixed rate, and a tie goes to the label seen first. (An averaged perceptron scored the same on the
// odd lines but was less sure of itself, so asked more; logistic regression made fewer wrong answers in
// cross-validation on the even lines.)
import type { TermPipeline } from './text.js';

export interface LabelledText {
  text: string;
  label: string;
}

export interface Classification {
  label: string;
  /** The winner's probability, 0 to 1. */
  confidence: number;
  /** Each label's probability (a label the classifier was not taught has none). */
  chances: ReadonlyMap<string, number>;
}

export const LEARNING = {
  /** Passes over the examples. */
  epochs: 3,
  /** The step size of the first pass; pass k takes rate / k. */
  rate: 0.5,
  /**
   * How much a word pair counts beside a single term. As much as a term: cross-validation on the English even lines
   * (of 3,630) made 59 and 60 wrong answers with 1, 66 and 64 with 0.6 (trained on three quarters, on a quarter),
   * with fewer questions; 1.2 and 1.5 were no better on both. The Welsh even lines measured alike with each.
   */
  bigramWeight: 1,
};

/** Stem numbers are below this (a content has far fewer different words), so a pair's key is unique. */
const PAIR = 1_000_000;

export class LearnedClassifier {
  readonly #pipeline: TermPipeline;
  readonly #labels: string[] = [];
  readonly #labelSet: ReadonlySet<string>;
  readonly #stemIds = new Map<string, number>();
  /** A term's feature key is twice its stem's number; a pair's, one more than twice (first × PAIR + second). */
  readonly #featureIds = new Map<number, number>();
  /** Weights, feature-major: weights[feature * labels + label]. Only the labels the examples teach are learned, so there are few. */
  #weights = new Float64Array(0);

  constructor(pipeline: TermPipeline, examples: readonly LabelledText[]) {
    this.#pipeline = pipeline;
    const labelIndex = new Map<string, number>();
    for (const e of examples) if (!labelIndex.has(e.label)) labelIndex.set(e.label, labelIndex.size);
    this.#labels.push(...labelIndex.keys());
    this.#labelSet = new Set(this.#labels);
    const data: Array<{ ids: number[]; values: number[]; label: number }> = [];
    for (const e of examples) {
      const f = this.#features(e.text, true);
      if (f.ids.length > 0) data.push({ ...f, label: labelIndex.get(e.label)! });
    }
    this.#train(data);
  }

  /**
   * Terms (stems with synonyms, little words left out) and stem pairs (little words kept: "not working"), as
   * feature ids with values. Features are numbered from stem numbers, not strings, since building them is most
   * of the cost of training; `learn` numbers new stems and features, otherwise unknown ones are left out.
   * (Character n-grams, for typos, were tried and measured no better: retrieval's typo tolerance does that work.)
   */
  #features(text: string, learn: boolean): { ids: number[]; values: number[] } {
    const ids: number[] = [];
    const values: number[] = [];
    const stemId = (stem: string) => this.#stemIds.get(stem) ?? (learn ? this.#stemIds.set(stem, this.#stemIds.size).get(stem)! : -1);
    const add = (key: number, v: number) => {
      const id = this.#featureIds.get(key) ?? (learn ? this.#featureIds.set(key, this.#featureIds.size).get(key)! : -1);
      if (id < 0) return;
      const at = ids.indexOf(id);
      if (at < 0) {
        ids.push(id);
        values.push(v);
      } else values[at] = Math.max(values[at]!, v);
    };
    // One tokenisation serves both: terms are the stems without the little words (all of them, if that leaves none).
    const stems = this.#pipeline.stems(text);
    const numbers = stems.map(stemId);
    const meaningful = numbers.filter((n, i) => n >= 0 && !this.#pipeline.isIgnored(stems[i]!));
    const terms = meaningful.length > 0 ? meaningful : numbers.filter((n) => n >= 0);
    for (const t of terms) add(2 * t, 1);
    for (let i = 0; i + 1 < numbers.length; i++) if (numbers[i]! >= 0 && numbers[i + 1]! >= 0) add(2 * (numbers[i]! * PAIR + numbers[i + 1]!) + 1, LEARNING.bigramWeight);
    return { ids, values };
  }

  /** Stochastic gradient descent on the cross-entropy of the softmax over labels' scores. */
  #train(data: ReadonlyArray<{ ids: number[]; values: number[]; label: number }>): void {
    const n = this.#labels.length;
    const w = new Float64Array(this.#featureIds.size * n);
    // One buffer for every example's probabilities, rather than one each.
    const scratch = new Float64Array(n);
    for (let epoch = 0; epoch < LEARNING.epochs; epoch++) {
      const rate = LEARNING.rate / (1 + epoch);
      for (const d of data) {
        const p = this.#probabilities(d.ids, d.values, w, scratch);
        p[d.label]! -= 1;
        for (let j = 0; j < d.ids.length; j++) {
          const base = d.ids[j]! * n;
          const step = rate * d.values[j]!;
          for (let i = 0; i < n; i++) w[base + i]! -= step * p[i]!;
        }
      }
    }
    this.#weights = w;
  }

  /** Each label's probability: the softmax of its score. */
  #probabilities(ids: readonly number[], values: readonly number[], weights: Float64Array, into?: Float64Array): Float64Array {
    const n = this.#labels.length;
    const p = into ? into.fill(0) : new Float64Array(n);
    for (let j = 0; j < ids.length; j++) {
      const base = ids[j]! * n;
      for (let i = 0; i < n; i++) p[i]! += values[j]! * weights[base + i]!;
    }
    // A loop, not Math.max(...p): spreading a typed array is slow, and this runs for every example in every pass.
    let max = -Infinity;
    for (let i = 0; i < n; i++) if (p[i]! > max) max = p[i]!;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += p[i] = Math.exp(p[i]! - max);
    for (let i = 0; i < n; i++) p[i]! /= sum;
    return p;
  }

  /** Was the classifier taught this label? */
  knows(label: string): boolean {
    return this.#labelSet.has(label);
  }

  /** The best label and how sure of it the classifier is; undefined for a text with no features it knows. */
  classify(text: string): Classification | undefined {
    const { ids, values } = this.#features(text, false);
    if (ids.length === 0) return undefined;
    const p = this.#probabilities(ids, values, this.#weights);
    let best = 0;
    for (let i = 1; i < p.length; i++) if (p[i]! > p[best]!) best = i;
    return { label: this.#labels[best]!, confidence: p[best]!, chances: new Map(this.#labels.map((l, i) => [l, p[i]!])) };
  }
}
