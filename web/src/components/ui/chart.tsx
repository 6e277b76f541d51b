/**
 * A time-series chart: a caption and a one-line summary that say what it shows, the plot
 * (uPlot, loaded on first use so the initial bundle stays small), and the same numbers as a
 * table for screen readers and for anyone who prefers to read them.
 *
 * Colours are design-token names (`--color-primary`…), resolved when drawn and again when the
 * theme changes, so light and dark both hold.
 *
 * @example
 * <Chart title="Success rate" summary="99.2 % over 24 h" times={[1733300000]} series={[{ label: 'Success', values: [0.99], color: '--color-success', format: percent }]} />
 */
import { lazy, Suspense, useId, type ReactNode } from 'react';
import { Table } from './table';
import '../../styles/charts.css';

export interface ChartSeries {
  label: string;
  /** One value per time; null where there is no value (a gap). */
  values: (number | null)[];
  /** A design token: `--color-primary`, `--color-success`, `--color-warning` or `--color-danger`. */
  color: string;
  /** How a value reads in the table and on the axis ("98.5 %", "120 ms"). */
  format?: (value: number) => string;
}

export interface ChartProps {
  title: string;
  /** One sentence a screen reader hears instead of the picture. */
  summary: ReactNode;
  /** Unix seconds, ascending. */
  times: number[];
  series: ChartSeries[];
  height?: number;
  /** Fix the y range (a rate between 0 and 1, say); otherwise it fits the data. */
  yRange?: [number, number];
  /** The period shown, in Unix seconds (the last 24 hours, say); otherwise the data's own span. */
  xRange?: [number, number];
  empty?: ReactNode;
}

const Plot = lazy(() => import('./chart-plot'));
const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

export function Chart({ title, summary, times, series, height = 180, yRange, xRange, empty = 'No data in this period yet.' }: ChartProps) {
  const titleId = useId();
  const summaryId = useId();
  const hasData = times.length > 0 && series.some((s) => s.values.some((v) => v !== null));
  // Without a given period, the data's own span; one point alone gets an hour either side.
  const first = times[0] ?? 0;
  const last = times.at(-1) ?? 0;
  const period: [number, number] = xRange ?? (first === last ? [first - 3600, last + 3600] : [first, last]);
  return (
    <figure className="ui-chart" aria-labelledby={titleId} aria-describedby={summaryId}>
      <figcaption className="ui-chart__caption">
        <span id={titleId} className="ui-chart__title">
          {title}
        </span>
        <span id={summaryId} className="ui-chart__summary">
          {summary}
        </span>
      </figcaption>
      {hasData ? (
        <>
          <div className="ui-chart__legend" aria-hidden="true">
            {series.map((s) => (
              <span key={s.label} className="ui-chart__key" data-color={s.color}>
                <span className={`ui-chart__swatch ui-chart__swatch${s.color}`} />
                {s.label}
              </span>
            ))}
          </div>
          {/* The picture repeats the table below; assistive technology reads the table. */}
          <div className="ui-chart__plot" aria-hidden="true" style={{ minHeight: height }}>
            <Suspense fallback={null}>
              <Plot times={times} series={series} height={height} {...(yRange ? { yRange } : {})} xRange={period} />
            </Suspense>
          </div>
          <details className="ui-chart__data">
            <summary>Show the numbers</summary>
            <Table caption={title}>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  {series.map((s) => (
                    <th key={s.label} scope="col" className="num">
                      {s.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {times.map((t, i) => (
                  <tr key={t}>
                    <td>{timeFormat.format(new Date(t * 1000))}</td>
                    {series.map((s) => {
                      const v = s.values[i];
                      return (
                        <td key={s.label} className="num">
                          {v === null || v === undefined ? '—' : s.format ? s.format(v) : String(v)}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </Table>
          </details>
        </>
      ) : (
        <p className="ui-chart__empty muted">{empty}</p>
      )}
    </figure>
  );
}
