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
export function TimeChart({ days, series, title, height = 260 }: { days: string[]; series: Series[]; title: string; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let stop = () => {};
    let stopped = false;
    // uPlot loads with the first chart, not with the dashboard.
    void import('./chart-draw.js').then(({ draw }) => {
      if (!stopped) stop = draw(el, days, series, height);
    });
    return () => {
      stopped = true;
      stop();
    };
  }, [days.join(), JSON.stringify(series.map((s) => s.values)), height]);
  return <div ref={box} class={height < 260 ? 'chart short' : 'chart'} role="img" aria-label={title} />;
}
