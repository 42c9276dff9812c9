// Opens a lowdb document over an AtomicJsonFile: reads it (refusing a corrupt file), or creates it with
// the defaults on first start.
import { dirname } from 'node:path';
import { Low } from 'lowdb';
import type { ZodType } from 'zod';
import { AtomicJsonFile } from './atomicJsonFile.js';
import { makePrivateDir } from './privateFiles.js';

export async function openStore<T>(file: string, schema: ZodType<T>, defaults: () => T): Promise<Low<T>> {
  await makePrivateDir(dirname(file));
  const adapter = new AtomicJsonFile<T>(file, (data) => {
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new Error(`${first?.path.join('.') || 'top level'}: ${first?.message ?? 'invalid'}`);
    }
    return parsed.data;
  });
  const existing = await adapter.read();
  const db = new Low<T>(adapter, existing ?? defaults());
  if (existing === null) await db.write();
  return db;
}
