// axe-core in a real page, for the browser tests: `await expectNoAxeViolations(page, 'the reset form, dark, 375 px')`
// runs axe's WCAG 2.0, 2.1 and 2.2 A and AA rules against the page as it stands and fails with every violation
// spelled out (rule id, impact, what it means, and the nodes it found). The pages send a strict
// Content-Security-Policy (script-src 'self'), so axe is not added as a <script>: its source is run through
// page.evaluate, which goes through the DevTools protocol and is not subject to the page's CSP. The page's own
// policy stays as it is, so an audit never hides a CSP problem.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/** The rule sets NHS services aim at: WCAG 2.2 AA, which includes every A and AA rule of 2.0 and 2.1. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] as const;

let source: string | undefined;
function axeSource(): string {
  source ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  return source;
}

export interface AxeNode {
  target: string[];
  html: string;
  failureSummary: string;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: AxeNode[];
}

export interface AxeSummary {
  violations: AxeViolation[];
  /** How many rules passed and how many could not decide (needs a person to look), for the record. */
  passes: number;
  incomplete: string[];
}

/** Runs axe with the WCAG A and AA tags on the page as it is now (injecting axe first if the page has not got it). */
export async function runAxe(page: Page): Promise<AxeSummary> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(axeSource());
  // A string, not a function: the test runner's compiler would add helpers the page does not have.
  return page.evaluate<AxeSummary>(`window.axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(WCAG_TAGS)} }, resultTypes: ['violations'] })
    .then((r) => ({
      passes: r.passes.length,
      incomplete: r.incomplete.map((i) => i.id),
      violations: r.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({ target: n.target.map(String), html: n.html, failureSummary: n.failureSummary || '' })),
      })),
    }))`);
}

/** Every violation, readable in a test failure. */
export function describeViolations(violations: AxeViolation[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes.map((n) => `    - ${n.target.join(' ')}\n      ${n.html}\n      ${n.failureSummary.replace(/\n/g, '\n      ')}`).join('\n');
      return `  ${v.id} (${v.impact ?? 'no impact given'}): ${v.help}\n    ${v.helpUrl}\n${nodes}`;
    })
    .join('\n');
}

/** Fails (printing each violation's id, impact, help and nodes) unless axe finds nothing against WCAG 2.2 A and AA. */
export async function expectNoAxeViolations(page: Page, label: string): Promise<AxeSummary> {
  const results = await runAxe(page);
  if (results.violations.length > 0) {
    const count = results.violations.reduce((n, v) => n + v.nodes.length, 0);
    throw new Error(`axe found ${results.violations.length} WCAG 2.2 A/AA rule(s) broken on ${label} (${count} node(s)):\n${describeViolations(results.violations)}`);
  }
  return results;
}
