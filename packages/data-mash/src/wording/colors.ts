// The colours of the correlation heatmaps, as the HTML report and the console draw them.

/** A colour as red, green and blue from 0 to 255 (not rounded). */
export type Rgb = readonly [number, number, number];

const LIGHT: Rgb = [247, 247, 247];
const RED: Rgb = [178, 24, 43];
const BLUE: Rgb = [33, 102, 172];
const PURPLE: Rgb = [84, 39, 143];
const WHITE: Rgb = [255, 255, 255];

/** The colour of a cell with no coefficient. */
export const NO_VALUE_COLOR = '#c8ccd4';

function mix(to: Rgb, amount: number): Rgb {
  return LIGHT.map((channel, index) => channel + ((to[index] as number) - channel) * amount) as unknown as Rgb;
}

/** A coefficient from -1 to 1 as red (-1), near white (0) and blue (1): Pearson's r. */
export function divergingRgb(value: number): Rgb {
  const t = Math.max(-1, Math.min(1, value));
  return mix(t < 0 ? RED : BLUE, Math.abs(t));
}

/** A value from 0 to 1 as near white (0) to purple (1): Cramér's V. */
export function sequentialRgb(value: number): Rgb {
  return mix(PURPLE, Math.max(0, Math.min(1, value)));
}

/** The relative luminance of a colour (WCAG 2). */
export function luminance(rgb: Rgb): number {
  const [r, g, b] = rgb.map((channel) => {
    const c = channel / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as unknown as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The contrast ratio of two colours (WCAG 2), from 1 to 21. */
export function contrast(a: Rgb, b: Rgb): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** Whether white text reads better on `fill` than text of the colour `ink`. */
export function whiteTextOn(fill: Rgb, ink: Rgb): boolean {
  return contrast(fill, ink) < contrast(fill, WHITE);
}
