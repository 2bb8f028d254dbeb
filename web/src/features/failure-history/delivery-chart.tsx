// The servers page chart: sent / failed / retrying (and held) mail over the last 48 hours or 14 days,
// drawn as stacked bars in plain SVG, with a legend and the same numbers in a sentence for screen
// readers and for anyone who just wants the totals.
import { useState } from 'react';
import { href } from '../../app/router.ts';
import { Alert } from '../../ui/alert.tsx';
import { Loading } from '../../ui/page-header.tsx';
import { useAsync } from '../../ui/use-async.ts';
import { messagesApi } from './messages-api.ts';
import { HISTORY_PATH } from './history-filters.ts';
import { CHART_SERIES, SERIES_LABELS, dailyBars, formatCount, hourlyBars, niceMax, summaryText, totals, type Bar, type ChartSeries } from './chart-data.ts';

type Period = '48h' | '14d';
const PERIODS: Record<Period, { hours: number; label: string; title: string }> = {
  '48h': { hours: 48, label: '48 hours', title: 'Last 48 hours' },
  '14d': { hours: 24 * 14, label: '14 days', title: 'Last 14 days' },
};

const W = 960;
const H = 190;
const PAD = { left: 44, right: 8, top: 12, bottom: 30 };
const PLOT_W = W - PAD.left - PAD.right;
const PLOT_H = H - PAD.top - PAD.bottom;
/** Drawn bottom to top: the good news at the base, failures on top where the eye lands. */
const STACK: ChartSeries[] = ['sent', 'retrying', 'held', 'failed'];

const hourFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const tickHour = new Intl.DateTimeFormat(undefined, { hour: 'numeric' });
const weekday = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
const monthDay = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const longDay = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' });

export function DeliveryChart() {
  const [period, setPeriod] = useState<Period>('48h');
  const { hours, title } = PERIODS[period];
  const stats = useAsync(async (signal) => ({ stats: await messagesApi.stats(hours, signal), at: Date.now() }), [hours]);
  const bars = stats.data ? (period === '48h' ? hourlyBars(stats.data.stats, stats.data.at, 48) : dailyBars(stats.data.stats, stats.data.at, 14)) : [];
  const sums = totals(bars);
  const summary = summaryText(title, sums);
  const troubled = sums.failed + sums.retrying + sums.held > 0;

  return (
    <section className="card delivery-chart" aria-labelledby="delivery-chart-title">
      <div className="delivery-chart__head">
        <div>
          <h2 className="card__title" id="delivery-chart-title">Delivery</h2>
          {stats.data ? <p className="delivery-chart__summary" id="delivery-chart-summary">{summary}</p> : null}
        </div>
        <div className="segmented" role="group" aria-label="Period">
          {(Object.keys(PERIODS) as Period[]).map((p) => (
            <button key={p} type="button" className="segmented__button" aria-pressed={period === p} onClick={() => setPeriod(p)}>{PERIODS[p].label}</button>
          ))}
        </div>
      </div>
      {stats.error ? <Alert kind="error">{stats.error}</Alert> : null}
      {stats.loading && !stats.data ? <Loading /> : null}
      {stats.data ? (
        <>
          <Chart bars={bars} hourly={period === '48h'} summary={summary} />
          <ul className="chart-legend" aria-label="Legend">
            {STACK.filter((s) => s !== 'held' || sums.held > 0).map((s) => (
              <li key={s}><span className={`chart-legend__swatch chart-legend__swatch--${s}`} aria-hidden="true" />{SERIES_LABELS[s]} <strong>{formatCount(sums[s])}</strong></li>
            ))}
          </ul>
          <p className="delivery-chart__note muted">
            Each message counts once, by its current status, in the {period === '48h' ? 'hour' : 'day'} it last changed.
            {troubled ? <> <a href={href(HISTORY_PATH)}>See the failure history</a>.</> : null}
          </p>
        </>
      ) : null}
    </section>
  );
}

function Chart({ bars, hourly, summary }: { bars: Bar[]; hourly: boolean; summary: string }) {
  const top = niceMax(Math.max(0, ...bars.map((b) => b.total)));
  const slot = PLOT_W / Math.max(1, bars.length);
  const barW = Math.max(2, slot * (hourly ? 0.72 : 0.6));
  const y = (v: number) => PAD.top + PLOT_H - (v / top) * PLOT_H;
  const ticks = [0, top / 2, top];
  return (
    <svg className="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Chart of delivered and failed mail. ${summary}`} preserveAspectRatio="xMidYMid meet">
      <g aria-hidden="true">
        {ticks.map((t) => (
          <g key={t}>
            <line className="chart__grid" x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} />
            <text className="chart__axis" x={PAD.left - 6} y={y(t)} dy="0.32em" textAnchor="end">{formatCount(t)}</text>
          </g>
        ))}
        {bars.map((b, i) => {
          const x = PAD.left + i * slot + (slot - barW) / 2;
          let base = PAD.top + PLOT_H;
          const label = hourly ? `${longDay.format(b.start)}, ${hourFormat.format(b.start)}` : longDay.format(b.start);
          const tip = `${label}: ${b.total === 0 ? 'nothing' : CHART_SERIES.filter((s) => b.counts[s] > 0).map((s) => `${formatCount(b.counts[s])} ${SERIES_LABELS[s].toLowerCase()}`).join(', ')}`;
          return (
            <g key={b.key} className="chart__bar">
              <title>{tip}</title>
              {/* The whole column answers hover, so thin bars are easy to point at. */}
              <rect className="chart__hit" x={PAD.left + i * slot} y={PAD.top} width={slot} height={PLOT_H} />
              {STACK.map((s) => {
                const n = b.counts[s];
                if (n === 0) return null;
                // A single failure among thousands sent still shows.
                const h = Math.max(2, (n / top) * PLOT_H);
                base -= h;
                return <rect key={s} className={`chart__seg chart__seg--${s}`} data-series={s} data-count={n} x={x} y={base} width={barW} height={h} rx={Math.min(2, barW / 4)} />;
              })}
              {tickLabel(b, hourly) ? (
                // Near the right edge the label ends at its bar instead of running off the chart.
                <text className="chart__axis" x={x + barW / 2 > W - 30 ? x + barW : x + barW / 2} y={H - PAD.bottom + 16} textAnchor={x + barW / 2 > W - 30 ? 'end' : 'middle'}>{tickLabel(b, hourly)}</text>
              ) : null}
            </g>
          );
        })}
      </g>
    </svg>
  );
}

/** Hours: every sixth hour, midnight as the day's name ("Tue"); days: every day ("Nov 23"). */
function tickLabel(b: Bar, hourly: boolean): string | null {
  if (!hourly) return monthDay.format(b.start);
  const hour = b.start.getHours();
  if (hour % 6 !== 0) return null;
  return hour === 0 ? weekday.format(b.start) : tickHour.format(b.start);
}
