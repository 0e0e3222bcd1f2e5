/**
 * Successes and failures over time, stacked, with uPlot: the chart is created once and
 * `setData` updates it (as uPlot's own demos do); the bucket width comes from the API,
 * chosen from the range's length.
 */
import uPlot from 'uplot';
import type { Series } from '../api.js';
import { byId, h, replace } from '../dom.js';
import { formatNumber } from '../format.js';
import type { Store } from '../store.js';

function cssColor(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** Stacked columns: failures at the bottom, successes on top of them. */
export function stacked(series: Series): uPlot.AlignedData {
  const times = series.times.map((t) => t / 1_000);
  const total = series.successes.map((s, i) => s + (series.failures[i] ?? 0));
  return [times, total, series.failures];
}

export function mountTimeline(store: Store): void {
  const holder = byId('chart');
  const summary = h('p', { id: 'chart-summary', class: 'visually-hidden' });
  let chart: uPlot | undefined;
  let last: Series | undefined;

  const create = (data: uPlot.AlignedData) => {
    const success = cssColor('--success', '#2f855a');
    const failure = cssColor('--failure', '#c53030');
    const axis = cssColor('--muted', '#666');
    const grid = cssColor('--grid', '#ddd');
    const bars = uPlot.paths.bars?.({ size: [0.9, 40] });
    const opts: uPlot.Options = {
      width: Math.max(300, holder.clientWidth),
      height: 220,
      scales: { x: { time: true } },
      axes: [
        { stroke: axis, grid: { stroke: grid } },
        { stroke: axis, grid: { stroke: grid }, size: 50 },
      ],
      series: [
        {},
        // Values shown in the legend are each series' own, not the stacked sum.
        {
          label: 'Successes',
          stroke: success,
          fill: `${success}cc`,
          ...(bars ? { paths: bars } : {}),
          value: (_u, _v, _s, index) =>
            index === null || !last ? '–' : formatNumber(last.successes[index] ?? 0),
        },
        {
          label: 'Failures',
          stroke: failure,
          fill: `${failure}ee`,
          ...(bars ? { paths: bars } : {}),
          value: (_u, v) => (v === null || v === undefined ? '–' : formatNumber(v)),
        },
      ],
    };
    chart = new uPlot(opts, data, holder);
    // The benchmark reads this mark: navigation to the first chart.
    performance.mark('authwatch:first-chart');
    chart.root.setAttribute('role', 'img');
    chart.root.setAttribute('aria-labelledby', 'chart-title chart-summary');
    holder.dataset.ready = 'true';
    new ResizeObserver(() =>
      chart?.setSize({ width: Math.max(300, holder.clientWidth), height: 220 }),
    ).observe(holder);
  };

  store.on('series', ({ data, loading, error }) => {
    holder.closest('section')?.setAttribute('aria-busy', String(loading));
    if (error) {
      chart?.destroy();
      chart = undefined;
      replace(holder, h('p', { class: 'message error' }, `Chart unavailable: ${error}`));
      return;
    }
    if (!data) return;
    last = data;
    const successes = data.successes.reduce((a, b) => a + b, 0);
    const failures = data.failures.reduce((a, b) => a + b, 0);
    summary.textContent = `${formatNumber(successes)} successful and ${formatNumber(failures)} failed sign-ins, in buckets of ${Math.round(data.bucketMs / 1_000)} seconds.`;
    if (!summary.isConnected) holder.after(summary);
    const aligned = stacked(data);
    if (chart) chart.setData(aligned);
    else {
      holder.replaceChildren();
      create(aligned);
    }
  });
}
