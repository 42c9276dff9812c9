// The list of commonly used passwords: 49,233 entries from the zxcvbn-ts "common" dictionary (MIT),
// shipped inside the npm package, so nothing is fetched at run time.
import { dictionary } from '@zxcvbn-ts/language-common';

let cached: ReadonlySet<string> | undefined;

export function commonPasswords(): ReadonlySet<string> {
  if (!cached) {
    const list = (dictionary as Record<string, unknown>)['passwords-common'];
    if (!Array.isArray(list) || list.length < 10_000) {
      throw new Error('The common-password list from @zxcvbn-ts/language-common is missing or too short');
    }
    cached = new Set(list.map((p) => String(p).toLowerCase()));
  }
  return cached;
}
