// Plain-English reasons for each broken password rule, from the content file, for the chat and the web page.
import type { PolicyFailure } from '../esr/passwordPolicy.js';
import type { Content } from './content.js';

export function describeFailure(c: Content, failure: PolicyFailure): string {
  switch (failure.rule) {
    case 'too_short':
      return c.t('password.failures.too_short', { min: failure.min, length: failure.length });
    case 'too_long':
      return c.t('password.failures.too_long', { max: failure.max, length: failure.length });
    case 'common':
      return c.t('password.failures.common');
    case 'predictable':
      return c.t('password.failures.predictable');
    case 'personal':
      return c.t(`password.failures.personal.${failure.word}`);
    case 'reused':
      return c.t('password.failures.reused', { count: failure.count });
  }
}

export function describeFailures(c: Content, failures: PolicyFailure[]): string[] {
  return failures.map((f) => describeFailure(c, f));
}
