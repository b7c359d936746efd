import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Series } from './chart.js';

const fromZero = (_u: uPlot, _min: number, max: number): uPlot.Range.MinMax => [0, max > 0 ? max * 1.1 : 1];

/** Draws the chart into `el`; returns what removes it. */
export function draw(el: HTMLElement, days: string[], series: Series[], height: number): () => void {
  const ink = getComputedStyle(el).color;
  const grid = { stroke: 'rgba(128,128,128,0.18)' };
  const xs = days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
  const data: uPlot.AlignedData = [xs, ...series.map((s) => s.values)];
  const plot = new uPlot(
    {
      width: Math.max(280, el.clientWidth),
      height,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      scales: { x: { time: true }, y: { range: fromZero }, r: { range: fromZero } },
      axes: [
        { stroke: ink, grid },
        { stroke: ink, scale: 'y', grid, size: 60, values: (_u, v) => v.map((x) => series.find((s) => !s.right)?.format?.(x) ?? String(x)) },
        { stroke: ink, scale: 'r', side: 1, grid: { show: false } },
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          fill: s.bars ? `${s.color}99` : `${s.color}22`,
          width: s.bars ? 0 : 2,
          ...(s.bars ? { paths: uPlot.paths.bars!({ size: [0.5, 24] }) } : {}),
          scale: s.right ? 'r' : 'y',
          points: { show: !s.bars && xs.length < 40 },
          value: (_u: uPlot, v: number | null) => (v == null ? '—' : (s.format?.(v) ?? String(v))),
        })),
      ],
    },
    data,
    el,
  );
  const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(280, el.clientWidth), height }));
  resize.observe(el);
  return () => {
    resize.disconnect();
    plot.destroy();
  };
}
