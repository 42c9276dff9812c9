// What axe cannot check: that keyboard focus can be seen (WCAG 2.4.7) on every control, in whichever colour scheme
// the page is in. `await expectVisibleFocus(page, label)` tabs through the page from the top, and for each element
// that takes focus wants an outline at least 2 px wide, or a solid box shadow, in a colour with at least 3:1
// contrast against what is around it (the nearest background behind the element), and the element on screen.
import { expect } from 'chai';
import type { Page } from 'playwright-core';

export interface FocusStop {
  what: string;
  indicator: string;
  contrast: number;
  onScreen: boolean;
}

// Runs in the page (a string: the test runner's compiler would add helpers the page does not have).
const DESCRIBE_FOCUS = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement || el.__focusStopSeen) return null;
  el.__focusStopSeen = true;
  const parse = (c) => { const m = (c || '').match(/rgba?\\(([^)]+)\\)/); if (!m) return null; const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 }; };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  let behind = null;
  for (let node = el.parentElement; node && !behind; node = node.parentElement) {
    const bg = parse(getComputedStyle(node).backgroundColor);
    if (bg && bg.a > 0.5) behind = bg;
  }
  behind = behind || { r: 255, g: 255, b: 255, a: 1 };
  const style = getComputedStyle(el);
  const candidates = [];
  // The browser's own ring (outline-style: auto) is drawn in two tones so that it shows on any background.
  if (style.outlineStyle === 'auto') candidates.push(['the browser default focus ring', { r: 0, g: 0, b: 0, a: 1, twoTone: true }]);
  else if (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) candidates.push(['outline ' + style.outlineWidth + ' ' + style.outlineColor, parse(style.outlineColor)]);
  for (const shadow of (style.boxShadow === 'none' ? [] : style.boxShadow.split(/,(?![^(]*\\))/))) candidates.push(['box-shadow ' + shadow.trim(), parse(shadow)]);
  let best = { indicator: 'none', contrast: 0 };
  for (const [indicator, colour] of candidates) {
    if (!colour || colour.a < 0.5) continue;
    const contrast = colour.twoTone ? 21 : ratio(colour, behind);
    if (contrast > best.contrast) best = { indicator, contrast };
  }
  const box = el.getBoundingClientRect();
  const id = el.id ? '#' + el.id : '';
  const name = (el.getAttribute('aria-label') || el.textContent || el.getAttribute('name') || '').replace(/\\s+/g, ' ').trim().slice(0, 40);
  return {
    what: el.tagName.toLowerCase() + id + (name ? ' "' + name + '"' : ''),
    indicator: best.indicator,
    contrast: Math.round(best.contrast * 100) / 100,
    onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < window.innerHeight && box.right > 0 && box.left < window.innerWidth,
  };
})()`;

/** Tabs through the page and returns each focus stop, in order, until focus leaves the page or comes round again. */
export async function focusStops(page: Page, limit = 80): Promise<FocusStop[]> {
  await page.evaluate(`document.activeElement && document.activeElement.blur && document.activeElement.blur(); window.scrollTo(0, 0);
    document.querySelectorAll('*').forEach((el) => { delete el.__focusStopSeen; })`);
  const stops: FocusStop[] = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate<FocusStop | null>(DESCRIBE_FOCUS);
    if (!stop) break;
    stops.push(stop);
  }
  return stops;
}

/** Fails unless every control the keyboard reaches shows a focus indicator with 3:1 contrast against what is behind it. */
export async function expectVisibleFocus(page: Page, label: string): Promise<FocusStop[]> {
  const stops = await focusStops(page);
  expect(stops.length, `${label}: the keyboard reaches something`).to.be.above(0);
  const unseen = stops.filter((s) => s.contrast < 3 || !s.onScreen);
  const list = unseen.map((s) => `\n  ${s.what}: ${s.indicator}, contrast ${s.contrast}:1${s.onScreen ? '' : ', off screen'}`).join('');
  expect(unseen.length, `${label}: focus that cannot be seen (needs an outline or shadow with 3:1 contrast, on screen):${list}`).to.equal(0);
  return stops;
}
