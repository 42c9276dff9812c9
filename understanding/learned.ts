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
  epochs: 2,
  /** How much a word pair counts beside a single term. */
  bigramWeight: 0.6,
};

/** Stem numbers are below this (a content has far fewer different words), so a pair's key is unique. */
const PAIR = 1_000_000;

interface SparseWeights {
  labels: number[];
  weights: number[];
}

/**
 * Adds up labels' scores for one text, touching only the labels its features have weights for (with hundreds of
 * labels most score 0), and finds the best: the highest score, the first label on a tie.
 */
class Scorer {
  readonly scores: Float64Array;
  readonly touched: number[] = [];
  readonly #mark: Uint8Array;

  constructor(labels: number) {
    this.scores = new Float64Array(labels);
    this.#mark = new Uint8Array(labels);
  }

  /** The best label; the scores stay readable until the next call. */
  best(ids: readonly number[], values: readonly number[], weights: ReadonlyArray<SparseWeights | undefined>): number {
    for (const t of this.touched) {
      this.scores[t] = 0;
      this.#mark[t] = 0;
    }
    this.touched.length = 0;
    for (let j = 0; j < ids.length; j++) {
      const wf = weights[ids[j]!];
      if (!wf) continue;
      const v = values[j]!;
      for (let i = 0; i < wf.labels.length; i++) {
        const label = wf.labels[i]!;
        if (this.#mark[label] === 0) {
          this.#mark[label] = 1;
          this.touched.push(label);
        }
        this.scores[label]! += v * wf.weights[i]!;
      }
    }
    let best = -1;
    for (const t of this.touched) if (best < 0 || this.scores[t]! > this.scores[best]! || (this.scores[t] === this.scores[best] && t < best)) best = t;
    if (this.touched.length < this.scores.length && (best < 0 || this.scores[best]! <= 0)) {
      let untouched = 0;
      while (this.#mark[untouched] === 1) untouched++;
      if (best < 0 || this.scores[best]! < 0 || untouched < best) best = untouched;
    }
    return best;
  }
}

export class LearnedClassifier {
  readonly #pipeline: TermPipeline;
  readonly #labels: string[] = [];
  readonly #labelSet: ReadonlySet<string>;
  readonly #stemIds = new Map<string, number>();
  /** A term's feature key is twice its stem's number; a pair's, one more than twice (first × PAIR + second). */
  readonly #featureIds = new Map<number, number>();
  /** Averaged weights: for each feature, its weight for each label it was ever updated for. */
  #weights: Array<SparseWeights | undefined> = [];

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

  /**
   * The averaged perceptron, with the usual trick: keep w and u (each update times its step); the average is
   * w - u / steps. Weights are kept sparse, as a short list per feature of the labels it was ever updated for,
   * since with hundreds of common questions most features tell about only a few labels.
   */
  #train(data: ReadonlyArray<{ ids: number[]; values: number[]; label: number }>): void {
    const w: Array<SparseWeights | undefined> = new Array<SparseWeights | undefined>(this.#featureIds.size);
    const u: number[][] = new Array<number[]>(this.#featureIds.size);
    const scorer = new Scorer(this.#labels.length);
    const add = (feature: number, label: number, v: number, step: number) => {
      const wf = w[feature] ?? (w[feature] = { labels: [], weights: [] });
      const uf = u[feature] ?? (u[feature] = []);
      let i = wf.labels.indexOf(label);
      if (i < 0) {
        i = wf.labels.push(label) - 1;
        wf.weights.push(0);
        uf.push(0);
      }
      wf.weights[i]! += v;
      uf[i]! += step * v;
    };
    let step = 1;
    for (let epoch = 0; epoch < LEARNING.epochs; epoch++) {
      let mistakes = 0;
      for (const d of data) {
        const best = scorer.best(d.ids, d.values, w);
        if (best !== d.label) {
          mistakes++;
          for (let j = 0; j < d.ids.length; j++) {
            add(d.ids[j]!, d.label, d.values[j]!, step);
            add(d.ids[j]!, best, -d.values[j]!, step);
          }
        }
        step++;
      }
      if (mistakes === 0) break;
    }
    this.#weights = w.map((wf, f) => wf && { labels: wf.labels, weights: wf.weights.map((v, i) => v - u[f]![i]! / step) });
  }

  /** Was the classifier taught this label? */
  knows(label: string): boolean {
    return this.#labelSet.has(label);
  }

  /** The best label and how sure of it the classifier is; undefined for a text with no features it knows. */
  classify(text: string): Classification | undefined {
    const { ids, values } = this.#features(text, false);
    if (ids.length === 0) return undefined;
    const scorer = new Scorer(this.#labels.length);
    const best = scorer.best(ids, values, this.#weights);
    const top = scorer.scores[best]!;
    // The softmax's denominator: every label untouched scores 0.
    let sum = (this.#labels.length - scorer.touched.length) * Math.exp(-top);
    for (const t of scorer.touched) sum += Math.exp(scorer.scores[t]! - top);
    return { label: this.#labels[best]!, confidence: 1 / sum };
  }
}
