// `npm run icons`: draws the Teams app icons in code and writes manifest/color.png (192x192, full colour) and
// manifest/outline.png (32x32, white on a fully transparent background). No image library: the shapes are
// polygons and stroked lines, each pixel is the average of a grid of samples (anti-aliasing by supersampling),
// and the PNG encoder is the small one in scripts/package.ts. The output is deterministic, so the committed icons
// can be checked against this script (test/manifest/package.test.ts does).
//
// Colour icon: an NHS-blue rounded square with a white speech bubble holding the letters "ESR" in NHS blue.
// Outline icon: the same speech bubble as a white outline, with a white "ESR" inside.
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { encodePng, type Image, MANIFEST_DIR } from './package.js';

type Point = readonly [number, number];
type Rgb = readonly [number, number, number];

const NHS_BLUE: Rgb = [0x00, 0x5e, 0xb8];
const WHITE: Rgb = [255, 255, 255];

/** A region of the plane: `contains` answers for one sample point; `box` bounds it, to skip the test quickly. */
interface Shape {
  box: readonly [number, number, number, number];
  contains(x: number, y: number): boolean;
}

function boxOf(points: readonly Point[], pad = 0): [number, number, number, number] {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return [Math.min(...xs) - pad, Math.min(...ys) - pad, Math.max(...xs) + pad, Math.max(...ys) + pad];
}

const inBox = (s: Shape, x: number, y: number) => x >= s.box[0] && x <= s.box[2] && y >= s.box[1] && y <= s.box[3];

/** The inside of a closed polygon (even-odd rule). */
function filled(points: readonly Point[]): Shape {
  const xs = Float64Array.from(points, (p) => p[0]);
  const ys = Float64Array.from(points, (p) => p[1]);
  const n = points.length;
  return {
    box: boxOf(points),
    contains(x, y) {
      let inside = false;
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const yi = ys[i]!;
        const yj = ys[j]!;
        if (yi > y !== yj > y && x < ((xs[j]! - xs[i]!) * (y - yi)) / (yj - yi) + xs[i]!) inside = !inside;
      }
      return inside;
    },
  };
}

/** A line of the given width along a polyline, with round ends and joins. */
function stroked(points: readonly Point[], width: number, closed = false): Shape {
  const half2 = (width / 2) ** 2;
  const ends = closed && points.length > 2 ? [...points, points[0]!] : points.length === 1 ? [points[0]!, points[0]!] : points;
  // Segment i runs from (ax[i], ay[i]) by (dx[i], dy[i]); flat arrays keep the hot loop fast.
  const count = ends.length - 1;
  const ax = new Float64Array(count);
  const ay = new Float64Array(count);
  const dx = new Float64Array(count);
  const dy = new Float64Array(count);
  const length2 = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    ax[i] = ends[i]![0];
    ay[i] = ends[i]![1];
    dx[i] = ends[i + 1]![0] - ax[i]!;
    dy[i] = ends[i + 1]![1] - ay[i]!;
    length2[i] = dx[i]! * dx[i]! + dy[i]! * dy[i]!;
  }
  return {
    box: boxOf(points, width / 2),
    contains(x, y) {
      for (let i = 0; i < count; i++) {
        const l2 = length2[i]!;
        const t = l2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - ax[i]!) * dx[i]! + (y - ay[i]!) * dy[i]!) / l2));
        const px = ax[i]! + t * dx[i]! - x;
        const py = ay[i]! + t * dy[i]! - y;
        if (px * px + py * py <= half2) return true;
      }
      return false;
    },
  };
}

function union(...shapes: Shape[]): Shape {
  return {
    box: [Math.min(...shapes.map((s) => s.box[0])), Math.min(...shapes.map((s) => s.box[1])), Math.max(...shapes.map((s) => s.box[2])), Math.max(...shapes.map((s) => s.box[3]))],
    contains(x, y) {
      for (const s of shapes) if (inBox(s, x, y) && s.contains(x, y)) return true;
      return false;
    },
  };
}

/** Points along an ellipse arc; angles in degrees, clockwise on screen (y grows downwards). */
function arc(cx: number, cy: number, rx: number, ry: number, from: number, to: number, steps = 48): Point[] {
  const points: Point[] = [];
  for (let i = 0; i <= steps; i++) {
    const t = ((from + ((to - from) * i) / steps) * Math.PI) / 180;
    points.push([cx + rx * Math.cos(t), cy + ry * Math.sin(t)]);
  }
  return points;
}

function quadratic(a: Point, control: Point, b: Point, steps = 24): Point[] {
  const points: Point[] = [];
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    const u = 1 - t;
    points.push([u * u * a[0] + 2 * u * t * control[0] + t * t * b[0], u * u * a[1] + 2 * u * t * control[1] + t * t * b[1]]);
  }
  return points;
}

function roundedRectangle(left: number, top: number, right: number, bottom: number, r: number): Point[] {
  return [...arc(right - r, top + r, r, r, -90, 0, 16), ...arc(right - r, bottom - r, r, r, 0, 90, 16), ...arc(left + r, bottom - r, r, r, 90, 180, 16), ...arc(left + r, top + r, r, r, 180, 270, 16)];
}

/**
 * A speech bubble: a rounded rectangle with a tail from its bottom edge down to the lower left. The tail's outer
 * side is straight and its inner side curves, like a drawn speech bubble.
 */
function bubble(b: { left: number; top: number; right: number; bottom: number; radius: number; tailFrom: number; tailTo: number; tip: Point }): Point[] {
  const { left, top, right, bottom, radius: r } = b;
  return [
    ...arc(right - r, top + r, r, r, -90, 0, 16),
    ...arc(right - r, bottom - r, r, r, 0, 90, 16),
    // along the bottom edge to the tail, down to its tip and back
    ...quadratic([b.tailTo, bottom], [b.tailTo - (b.tailTo - b.tailFrom) * 0.35, bottom + (b.tip[1] - bottom) * 0.55], b.tip),
    [b.tailFrom, bottom],
    ...arc(left + r, bottom - r, r, r, 90, 180, 16),
    ...arc(left + r, top + r, r, r, 180, 270, 16),
  ];
}

/** "ESR" as stroke centre-lines in the box (the strokes' ink reaches width/2 beyond it). */
function letters(box: { left: number; top: number; height: number; letterWidth: number; gap: number }): Point[][] {
  const { left, top, height: h, letterWidth: w, gap } = box;
  const bottom = top + h;
  const middle = top + h / 2;
  const e = left;
  const s = left + w + gap;
  const r = s + w + gap;
  const bowl = h * 0.27; // the R's bowl: radius of its round end
  return [
    // E
    [[e + w, top], [e, top], [e, bottom], [e + w, bottom]],
    [[e, middle], [e + w * 0.82, middle]],
    // S: the upper bowl anticlockwise from its upper right, then the lower bowl clockwise to its lower left
    [...arc(s + w / 2, top + h / 4, w / 2, h / 4, -25, -270), ...arc(s + w / 2, top + (3 * h) / 4, w / 2, h / 4, -90, 155)],
    // R
    [[r, bottom], [r, top], [r + w - bowl, top], ...arc(r + w - bowl, top + bowl, bowl, bowl, -90, 90, 24), [r, top + 2 * bowl]],
    [[r + (w - bowl) * 0.55, top + 2 * bowl], [r + w, bottom]],
  ];
}

/** The letters' box with its centre at x = centre. */
function centred(centre: number, top: number, height: number, letterWidth: number, gap: number) {
  return { left: centre - (3 * letterWidth + 2 * gap) / 2, top, height, letterWidth, gap };
}

/**
 * Renders a picture: `colourAt` gives the colour of one sample point, or undefined where it is transparent.
 * Each pixel averages grid x grid samples.
 */
function render(size: number, grid: number, colourAt: (x: number, y: number) => Rgb | undefined): Image {
  const data = new Uint8Array(size * size * 4);
  const samples = grid * grid;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const i = (py * size + px) * 4;
      // Most pixels lie wholly inside one shape: when the corners and the centre agree, that is the pixel.
      const probe = colourAt(px + 0.5, py + 0.5);
      if ([colourAt(px, py), colourAt(px + 1, py), colourAt(px, py + 1), colourAt(px + 1, py + 1)].every((c) => c === probe)) {
        if (probe) data.set([...probe, 255], i);
        continue;
      }
      let r = 0;
      let g = 0;
      let b = 0;
      let covered = 0;
      for (let sy = 0; sy < grid; sy++) {
        for (let sx = 0; sx < grid; sx++) {
          const colour = colourAt(px + (sx + 0.5) / grid, py + (sy + 0.5) / grid);
          if (!colour) continue;
          r += colour[0];
          g += colour[1];
          b += colour[2];
          covered++;
        }
      }
      // Straight (not premultiplied) alpha: the colour is the average of the covered samples only.
      if (covered > 0) data.set([Math.round(r / covered), Math.round(g / covered), Math.round(b / covered), Math.round((255 * covered) / samples)], i);
    }
  }
  return { width: size, height: size, data };
}

const hit = (shape: Shape, x: number, y: number) => inBox(shape, x, y) && shape.contains(x, y);

/** 192x192: NHS-blue rounded square, white speech bubble, "ESR" in NHS blue. */
export function drawColorIcon(): Image {
  const size = 192;
  const background = filled(roundedRectangle(0, 0, size, size, 40));
  const outlineOfSpeech = bubble({ left: 20, top: 38, right: 172, bottom: 130, radius: 30, tailFrom: 48, tailTo: 84, tip: [36, 160] });
  // Filled and traced with a 5-pixel pen, which rounds the tail's tip and the corners where it meets the bubble.
  const speech = union(filled(outlineOfSpeech), stroked(outlineOfSpeech, 5, true));
  const ink = union(...letters(centred(96, 64, 40, 24, 18)).map((line) => stroked(line, 10)));
  return render(size, 6, (x, y) => (hit(ink, x, y) ? NHS_BLUE : hit(speech, x, y) ? WHITE : hit(background, x, y) ? NHS_BLUE : undefined));
}

/** 32x32: the same speech bubble as a white outline with a white "ESR" inside, on full transparency. */
export function drawOutlineIcon(): Image {
  const size = 32;
  // Straight strokes 2 pixels wide centred on pixel edges, so they come out crisp rather than grey.
  const outline = stroked(bubble({ left: 2, top: 4, right: 30, bottom: 23, radius: 5.5, tailFrom: 6.5, tailTo: 13, tip: [3.5, 30] }), 2, true);
  const ink = union(...letters(centred(16, 10, 8, 4, 4)).map((line) => stroked(line, 2)));
  return render(size, 8, (x, y) => (hit(outline, x, y) || hit(ink, x, y) ? WHITE : undefined));
}

export async function writeIcons(dir = MANIFEST_DIR): Promise<string[]> {
  const files = [join(dir, 'color.png'), join(dir, 'outline.png')];
  await writeFile(files[0]!, encodePng(drawColorIcon()));
  await writeFile(files[1]!, encodePng(drawOutlineIcon()));
  return files;
}

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  for (const file of await writeIcons()) console.log(`Wrote ${file}`);
}
