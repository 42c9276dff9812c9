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

/** The examples as features, flat: example k's features are ids[offsets[k]] to ids[offsets[k + 1] - 1]. */
interface Examples {
  ids: Int32Array;
  values: Float64Array;
  offsets: Int32Array;
  labels: Int32Array;
}

export class LearnedClassifier {
  readonly #pipeline: TermPipeline;
  readonly #labels: string[] = [];
  readonly #labelSet: ReadonlySet<string>;
  readonly #stemIds = new Map<string, number>();
  /** A term's feature, by its stem's number (undefined: none). */
  readonly #termFeatures: number[] = [];
  /** A stem pair's feature, by the first stem's number, then the second's. */
  readonly #pairFeatures: Array<Map<number, number> | undefined> = [];
  /** Features are numbered in the order they are first met: terms and pairs share the numbers. */
  #featureCount = 0;
  /** Weights, feature-major: weights[feature * labels + label]. Only the labels the examples teach are learned, so there are few. */
  #weights = new Float64Array(0);

  constructor(pipeline: TermPipeline, examples: readonly LabelledText[]) {
    this.#pipeline = pipeline;
    const labelIndex = new Map<string, number>();
    for (const e of examples) if (!labelIndex.has(e.label)) labelIndex.set(e.label, labelIndex.size);
    this.#labels.push(...labelIndex.keys());
    this.#labelSet = new Set(this.#labels);
    // Flat typed arrays rather than an object per example: training reads them three times over, and building the
    // objects was as costly as the training itself. Each example's features are read into two small arrays used
    // over and over, then copied on: growing one array of a hundred thousand numbers cost more than reading them.
    let ids = new Int32Array(1 << 16);
    let values = new Float64Array(1 << 16);
    let length = 0;
    const offsets: number[] = [0];
    const labels: number[] = [];
    const oneIds: number[] = [];
    const oneValues: number[] = [];
    for (const e of examples) {
      oneIds.length = 0;
      oneValues.length = 0;
      this.#features(e.text, true, oneIds, oneValues);
      if (oneIds.length === 0) continue;
      if (length + oneIds.length > ids.length) {
        const [moreIds, moreValues] = [new Int32Array(2 * ids.length + oneIds.length), new Float64Array(2 * ids.length + oneIds.length)];
        moreIds.set(ids);
        moreValues.set(values);
        [ids, values] = [moreIds, moreValues];
      }
      for (let j = 0; j < oneIds.length; j++) {
        ids[length + j] = oneIds[j]!;
        values[length + j] = oneValues[j]!;
      }
      length += oneIds.length;
      offsets.push(length);
      labels.push(labelIndex.get(e.label)!);
    }
    this.#train({ ids, values, offsets: Int32Array.from(offsets), labels: Int32Array.from(labels) });
  }

  /**
   * The text's features into ids and values (both empty): terms (stems with synonyms, little words left out) and stem
   * pairs (little words kept: "not working"), each once, with its value. Features are numbered from stem numbers,
   * not strings, since building them is much of the cost of training; `learn` numbers new stems and features,
   * otherwise unknown ones are left out. (Character n-grams, for typos, were tried and measured no better:
   * retrieval's typo tolerance does that work.)
   */
  #features(text: string, learn: boolean, ids: number[], values: number[]): void {
    // Plain loops, no closures: this runs for every word of every example.
    // One tokenisation serves both: terms are the stems without the little words (all of them, if that leaves none).
    const stems = this.#pipeline.stems(text);
    const numbers: number[] = [];
    let meaningful = 0;
    for (const stem of stems) {
      let n = this.#stemIds.get(stem);
      if (n === undefined && learn) this.#stemIds.set(stem, (n = this.#stemIds.size));
      numbers.push(n ?? -1);
      if (n !== undefined && !this.#pipeline.isIgnored(stem)) meaningful++;
    }
    for (let i = 0; i < numbers.length; i++) {
      const t = numbers[i]!;
      if (t < 0 || (meaningful > 0 && this.#pipeline.isIgnored(stems[i]!))) continue;
      let id = this.#termFeatures[t];
      if (id === undefined && learn) this.#termFeatures[t] = id = this.#featureCount++;
      if (id !== undefined) addFeature(ids, values, id, 1);
    }
    for (let i = 0; i + 1 < numbers.length; i++) {
      const first = numbers[i]!;
      const second = numbers[i + 1]!;
      if (first < 0 || second < 0) continue;
      let byFirst = this.#pairFeatures[first];
      if (!byFirst) {
        if (!learn) continue;
        this.#pairFeatures[first] = byFirst = new Map();
      }
      let id = byFirst.get(second);
      if (id === undefined && learn) byFirst.set(second, (id = this.#featureCount++));
      if (id !== undefined) addFeature(ids, values, id, LEARNING.bigramWeight);
    }
  }

  /** Stochastic gradient descent on the cross-entropy of the softmax over labels' scores. */
  #train(data: Examples): void {
    const n = this.#labels.length;
    const w = new Float64Array(this.#featureCount * n);
    // One buffer for every example's probabilities, rather than one each.
    const scratch = new Float64Array(n);
    const { ids, values, offsets, labels } = data;
    for (let epoch = 0; epoch < LEARNING.epochs; epoch++) {
      const rate = LEARNING.rate / (1 + epoch);
      for (let k = 0; k < labels.length; k++) {
        const [from, to] = [offsets[k]!, offsets[k + 1]!];
        const p = probabilities(ids, values, from, to, w, n, scratch);
        p[labels[k]!]! -= 1;
        for (let j = from; j < to; j++) {
          const base = ids[j]! * n;
          const step = rate * values[j]!;
          for (let i = 0; i < n; i++) w[base + i]! -= step * p[i]!;
        }
      }
    }
    this.#weights = w;
  }

  /** Was the classifier taught this label? */
  knows(label: string): boolean {
    return this.#labelSet.has(label);
  }

  /** The best label and how sure of it the classifier is; undefined for a text with no features it knows. */
  classify(text: string): Classification | undefined {
    const ids: number[] = [];
    const values: number[] = [];
    this.#features(text, false, ids, values);
    if (ids.length === 0) return undefined;
    // Typed arrays, as in training, so that the one function sees one kind of array and stays fast.
    const p = probabilities(Int32Array.from(ids), Float64Array.from(values), 0, ids.length, this.#weights, this.#labels.length, new Float64Array(this.#labels.length));
    let best = 0;
    for (let i = 1; i < p.length; i++) if (p[i]! > p[best]!) best = i;
    return { label: this.#labels[best]!, confidence: p[best]!, chances: new Map(this.#labels.map((l, i) => [l, p[i]!])) };
  }
}

/** Adds a feature to a text's, or keeps the higher value if it is there already. */
function addFeature(ids: number[], values: number[], id: number, value: number): void {
  for (let at = 0; at < ids.length; at++) {
    if (ids[at] === id) {
      values[at] = Math.max(values[at]!, value);
      return;
    }
  }
  ids.push(id);
  values.push(value);
}

/** Each of n labels' probabilities, the softmax of its score, for the features ids[from] to ids[to - 1]; written into `into`. */
function probabilities(ids: Int32Array, values: Float64Array, from: number, to: number, weights: Float64Array, n: number, into: Float64Array): Float64Array {
  const p = into.fill(0);
  for (let j = from; j < to; j++) {
    const base = ids[j]! * n;
    const v = values[j]!;
    for (let i = 0; i < n; i++) p[i]! += v * weights[base + i]!;
  }
  // A loop, not Math.max(...p): spreading a typed array is slow, and this runs for every example in every pass.
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (p[i]! > max) max = p[i]!;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += p[i] = Math.exp(p[i]! - max);
  for (let i = 0; i < n; i++) p[i]! /= sum;
  return p;
}
