// What a contract suite is given for each test: a new, empty store, and ways to reach the same data again.
export interface Subject<T> {
  /** A new, empty store. */
  store: T;
  /** A new instance over the same data, as after a restart. */
  reopen(): Promise<T>;
  /**
   * A second instance running beside the first over the same data, as another instance of the bot behind a
   * load balancer. Only stores that share live data between instances (the PostgreSQL ones) offer it.
   */
  beside?: () => Promise<T>;
}

export type MakeSubject<T> = () => Promise<Subject<T>>;

/** The promise's rejection (fails the test if it resolved). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}
