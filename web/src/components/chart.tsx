import { useEffect, useRef } from 'preact/hooks';

export interface Series {
  label: string;
  values: number[];
  color: string;
  /** Drawn against the right-hand axis. */
  right?: boolean;
  bars?: boolean;
  format?: (v: number) => string;
}

/** A uPlot time chart that follows its container's width. `days` are UTC dates (YYYY-MM-DD). */
export function TimeChart({ days, series, title }: { days: string[]; series: Series[]; title: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let stop = () => {};
    let stopped = false;
    // uPlot loads with the first chart, not with the dashboard.
    void import('./chart-draw.js').then(({ draw }) => {
      if (!stopped) stop = draw(el, days, series);
    });
    return () => {
      stopped = true;
      stop();
    };
  }, [days.join(), JSON.stringify(series.map((s) => s.values))]);
  return <div ref={box} class="chart" role="img" aria-label={title} />;
}
