// Wires the shared content overrides (DATABASE_URL) into the app with its log lines: the first copy from the
// database before the content is loaded, the one-time upload of a Trust's existing override files after it
// has been checked, and the poll that keeps DATA_DIR/content in step while the bot runs.
import type { OverrideFiles } from '../content/overrideFiles.js';
import { SharedOverrides, type PullResult, type SharedOverrideStore } from '../content/sharedOverrides.js';
import type { Logger } from './logger.js';

export interface SharedContent {
  /** Where the dashboard's edits go: the database, then this instance's folder. */
  files: OverrideFiles;
  /** Keeps the local override files the database lacks (call once the content has loaded cleanly). */
  uploadMissing(): Promise<void>;
  /** Polls the database every `intervalMs`; returns a stop function. */
  watch(intervalMs: number): () => void;
}

export async function shareContentOverrides(store: SharedOverrideStore | undefined, dir: string, logger: Logger): Promise<SharedContent | undefined> {
  if (!store) return undefined;
  const shared = new SharedOverrides(store, dir);
  const report = (result: PullResult) => {
    for (const { name, keptAs } of result.replaced) {
      logger.warn({ file: name, keptAs }, `The content override ${name} here differed from the one in the database; the database's is used (shared by every instance) and this one was kept as ${keptAs}`);
    }
    if (result.written.length > 0) logger.info({ files: result.written }, `Copied ${result.written.length} content override(s) from the database`);
  };
  report(await shared.pull());
  return {
    files: shared,
    uploadMissing: async () => {
      const uploaded = await shared.uploadMissing();
      if (uploaded.length > 0) logger.info({ files: uploaded }, `Kept ${uploaded.length} content override(s) from this instance's DATA_DIR/content in the database, for every instance`);
    },
    watch: (intervalMs) =>
      shared.watch(intervalMs, (error, result) => {
        if (error) logger.error({ err: error }, 'Could not copy the content overrides from the database; trying again shortly');
        else if (result) report(result);
      }),
  };
}
