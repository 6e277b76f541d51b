/**
 * The uPlot canvas behind <Chart>: its own chunk, loaded when a chart is first shown. Token
 * colours are resolved through a probe element (canvas cannot read `light-dark()`), and the plot
 * is rebuilt when the theme or the system colour scheme changes, and resized with its box.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartSeries } from './chart';

/** A token's colour as the browser computes it now (`rgb(…)`). */
function resolve(token: string, host: HTMLElement): string {
  const probe = document.createElement('span');
  probe.style.color = `var(${token})`;
  probe.style.display = 'none';
  host.appendChild(probe);
  const value = getComputedStyle(probe).color;
  probe.remove();
  return value;
}

interface Ranges {
  yRange?: [number, number] | undefined;
  xRange?: [number, number] | undefined;
}

function options(width: number, height: number, series: ChartSeries[], host: HTMLElement, { xRange, yRange }: Ranges): uPlot.Options {
  const text = resolve('--color-muted', host);
  const grid = resolve('--color-border', host);
  const format = series[0]?.format;
  const axis: uPlot.Axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font: '12px system-ui, sans-serif' };
  return {
    width,
    height,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: {
      // A fixed period: alone, one point would make uPlot span years around it.
      x: { time: true, range: (_u, min, max) => xRange ?? [min, max] },
      y: yRange ? { range: yRange } : { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] },
    },
    axes: [axis, { ...axis, size: 64, values: (_u, ticks) => ticks.map((v) => (format ? format(v) : String(v))) }],
    series: [
      {},
      ...series.map((s) => ({
        label: s.label,
        stroke: resolve(s.color, host),
        width: 2,
        spanGaps: false,
        points: { show: s.values.filter((v) => v !== null).length < 3, size: 6 },
      })),
    ],
  };
}

export default function ChartPlot({ times, series, height, yRange, xRange }: { times: number[]; series: ChartSeries[]; height: number } & Ranges) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    let plot: uPlot | undefined;
    const data = [times, ...series.map((s) => s.values)] as uPlot.AlignedData;
    const build = () => {
      plot?.destroy();
      plot = new uPlot(options(element.clientWidth || 300, height, series, element, { xRange, yRange }), data, element);
    };
    build();
    const resize = new ResizeObserver(() => plot?.setSize({ width: element.clientWidth || 300, height }));
    resize.observe(element);
    // A theme switch changes the tokens' values: draw again with the new colours.
    const theme = new MutationObserver(build);
    theme.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    const scheme = matchMedia('(prefers-color-scheme: dark)');
    scheme.addEventListener('change', build);
    return () => {
      resize.disconnect();
      theme.disconnect();
      scheme.removeEventListener('change', build);
      plot?.destroy();
    };
  }, [times, series, height, yRange, xRange]);
  return <div ref={host} className="ui-chart__canvas" />;
}
