// How several instances of the bot on one store keep out of each other's way: the turns of one conversation
// run one at a time wherever they arrive, and each periodic job (housekeeping, reminders, the automation
// watchdog) runs on one instance at a time. With the embedded store there is only ever one process, so the
// in-process versions here are the whole story; the PostgreSQL ones are in storage/postgres/pgLocks.ts.
import { KeyedMutex } from './keyedMutex.js';

/** Runs the turns of one conversation one after another, on whichever instance each arrives. */
export interface TurnLock {
  /** Runs `turn` holding the conversation's lock; rejects with LockWaitTimeout, without running it, if the lock stays taken too long. */
  run<T>(conversationId: string, turn: () => Promise<T>): Promise<T>;
}

export type ExclusiveRun<T> = { ran: true; value: T } | { ran: false };

/** Runs a periodic job on one instance at a time. */
export interface JobLock {
  /**
   * Runs `job` unless another instance is running the job called `name` right now; then this round is skipped
   * (`ran: false`) and the next round tries again. So the job's own record of what it did must be shared too.
   */
  runExclusive<T>(name: string, job: () => Promise<T>): Promise<ExclusiveRun<T>>;
}

export interface InstanceLocks {
  turns: TurnLock;
  jobs: JobLock;
}

/** A turn waited longer than it may for its conversation's previous turn (on another instance) to finish. */
export class LockWaitTimeout extends Error {
  readonly conversationId: string;
  readonly waitedMs: number;
  constructor(conversationId: string, waitedMs: number) {
    super(`Waited ${waitedMs} ms for the previous turn of conversation ${conversationId} to finish; gave up`);
    this.name = 'LockWaitTimeout';
    this.conversationId = conversationId;
    this.waitedMs = waitedMs;
  }
}

/** One process: a keyed mutex for turns, and every job runs (there is nobody to share it with). */
export function inProcessLocks(): InstanceLocks {
  return {
    turns: new KeyedMutex(),
    jobs: { runExclusive: async (_name, job) => ({ ran: true, value: await job() }) },
  };
}
