import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

/** Observable Plot, as the dynamic import gives it. */
export type PlotModule = typeof import('@observablehq/plot');

let loading: Promise<PlotModule> | undefined;

/**
 * Observable Plot, loaded once on first use: a separate chunk, so that the console's first load
 * does not carry it (a failed load is tried again on the next chart).
 */
export function loadPlot(): Promise<PlotModule> {
  loading ??= import('@observablehq/plot').catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/** Draws a chart `width` pixels wide (Plot's `plot(...)` result). */
export type DrawChart = (plot: PlotModule, width: number) => SVGSVGElement | HTMLElement;

/**
 * A chart as a figure: its caption names it, Plot's SVG is drawn into the figure at the width of
 * its container (again when the container is resized), and `children` are its text equivalent
 * (a visually-hidden table, or figures in text) for those who cannot see it.
 */
export function PlotFigure({
  caption,
  draw,
  children,
  class: className,
}: {
  caption: string;
  draw: DrawChart;
  children?: ComponentChildren;
  class?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  // The latest drawing: a chart's data do not change while it is shown (another table remounts it).
  const drawing = useRef(draw);
  drawing.current = draw;
  const [width, setWidth] = useState(0);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const measure = () => setWidth(Math.floor(element.clientWidth));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const element = box.current;
    if (!element || width <= 0) return;
    let current = true;
    loadPlot()
      .then((plot) => {
        if (!current) return;
        const chart = drawing.current(plot, width);
        // One image to a screen reader, named by the caption (not hundreds of unlabelled
        // shapes): the text equivalent below says its figures.
        chart.setAttribute('role', 'img');
        chart.setAttribute('aria-label', caption);
        // Plot names its marks' groups (`bar`, `rule`, and the `tip` it draws on hover): no name
        // is allowed inside an image, so each name moves to `data-mark`.
        const unname = (root: Element) => {
          for (const named of root.querySelectorAll('[aria-label], [aria-description]')) {
            named.setAttribute('data-mark', named.getAttribute('aria-label') ?? '');
            named.removeAttribute('aria-label');
            named.removeAttribute('aria-description');
          }
        };
        unname(chart);
        new MutationObserver(() => unname(chart)).observe(chart, {
          subtree: true,
          childList: true,
          attributes: true,
          attributeFilter: ['aria-label'],
        });
        element.replaceChildren(chart);
        setFailed(false);
      })
      .catch(() => current && setFailed(true));
    return () => {
      current = false;
    };
  }, [width, caption]);

  return (
    <figure class={`chart${className ? ` ${className}` : ''}`}>
      <figcaption>{caption}</figcaption>
      <div class="chart-box" ref={box} />
      {failed && <p class="muted">The chart could not be drawn; its figures follow.</p>}
      <div class={failed ? undefined : 'visually-hidden'}>{children}</div>
    </figure>
  );
}
