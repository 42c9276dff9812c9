// The ESR mode in words, for the start-up log: operators should never have to guess what the bot changes.
import type { EsrMode } from './config.js';

const WORDS: Record<EsrMode, string> = {
  guided: 'ESR mode: guided — staff are walked through ESR\'s own pages; the bot holds no ESR password and sends no reset links',
  automation: 'ESR mode: automation — as guided, and unlock and reactivation go first to the Trust\'s automation endpoint',
  simulated: 'ESR mode: simulated — a training copy of ESR; nothing changes real ESR accounts',
};

export function describeEsrMode(mode: EsrMode): string {
  return WORDS[mode];
}
