// Turns GET /delivery-stats (counts per UTC hour and status) into the bars of the servers page chart:
// one per hour for 48 hours, or one per local day for 14 days. Empty hours and days are bars of 0.
import type { DeliveryStats, MessageStatus } from '../../api/types.ts';

export const CHART_SERIES = ['sent', 'retrying', 'held', 'failed'] as const;
export type ChartSeries = (typeof CHART_SERIES)[number];

export const SERIES_LABELS: Record<ChartSeries, string> = { sent: 'Sent', retrying: 'Retrying', held: 'Held', failed: 'Failed' };

export type Counts = Record<ChartSeries, number>;

export interface Bar {
  key: string;
  start: Date;
  counts: Counts;
  total: number;
}

export const HOUR_MS = 3_600_000;

const zero = (): Counts => ({ sent: 0, retrying: 0, held: 0, failed: 0 });
const isSeries = (s: MessageStatus): s is ChartSeries => (CHART_SERIES as readonly string[]).includes(s);

/** "2026-11-23T17" → that hour's start. */
function hourStart(hour: string): Date {
  return new Date(`${hour}:00:00.000Z`);
}

function localDayKey(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function finish(bars: Bar[]): Bar[] {
  for (const b of bars) b.total = CHART_SERIES.reduce((n, s) => n + b.counts[s], 0);
  return bars;
}

export function hourlyBars(stats: DeliveryStats, now: number, hours: number): Bar[] {
  const last = Math.floor(now / HOUR_MS) * HOUR_MS;
  const bars: Bar[] = [];
  const byKey = new Map<string, Bar>();
  for (let i = hours - 1; i >= 0; i--) {
    const start = new Date(last - i * HOUR_MS);
    const bar = { key: start.toISOString().slice(0, 13), start, counts: zero(), total: 0 };
    bars.push(bar);
    byKey.set(bar.key, bar);
  }
  for (const b of stats.buckets) {
    const bar = byKey.get(b.hour);
    if (bar && isSeries(b.status)) bar.counts[b.status] += b.count;
  }
  return finish(bars);
}

export function dailyBars(stats: DeliveryStats, now: number, days: number): Bar[] {
  const today = new Date(now);
  const bars: Bar[] = [];
  const byKey = new Map<string, Bar>();
  for (let i = days - 1; i >= 0; i--) {
    const start = new Date(today.getFullYear(), today.getMonth(), today.getDate() - i);
    const bar = { key: localDayKey(start), start, counts: zero(), total: 0 };
    bars.push(bar);
    byKey.set(bar.key, bar);
  }
  for (const b of stats.buckets) {
    const bar = byKey.get(localDayKey(hourStart(b.hour)));
    if (bar && isSeries(b.status)) bar.counts[b.status] += b.count;
  }
  return finish(bars);
}

export function totals(bars: Bar[]): Counts {
  const out = zero();
  for (const b of bars) for (const s of CHART_SERIES) out[s] += b.counts[s];
  return out;
}

export const formatCount = (n: number) => n.toLocaleString('en-US');

/** "Last 48 hours: 1,203 sent, 4 failed, 2 retrying" (and held, when any are). */
export function summaryText(period: string, t: Counts): string {
  const parts = [`${formatCount(t.sent)} sent`, `${formatCount(t.failed)} failed`, `${formatCount(t.retrying)} retrying`];
  if (t.held > 0) parts.push(`${formatCount(t.held)} held`);
  return `${period}: ${parts.join(', ')}`;
}

/** A round top for the axis: 1, 2, 5, 10, 20, 50, … at least `max`. */
export function niceMax(max: number): number {
  if (max <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= max) return step * magnitude;
  return 10 * magnitude;
}
