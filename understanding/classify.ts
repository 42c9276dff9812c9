// What the evaluation scores: the understander's outcome as a label, a question's choices, or nothing.
import type { Outcome } from './evaluate.js';
import { WHICH_CHOICES } from './diagnosis.js';
import type { Understander } from './understander.js';

export function outcomeOf(understander: Understander, text: string): Outcome {
  const u = understander.understand(text);
  switch (u.kind) {
    case 'command':
    case 'answer':
      return { kind: 'answer', label: u.intent };
    case 'diagnosis':
      return u.action.kind === 'flow' ? { kind: 'answer', label: u.action.flow } : { kind: 'ask', labels: [...new Set(WHICH_CHOICES.map((c) => c.flow))] };
    case 'ask':
      return { kind: 'ask', labels: u.candidates };
    default:
      return { kind: 'none' };
  }
}
