// The failure history's filters live in the address ("#/failure-history?serverId=…&range=24h"), so a
// filtered view can be linked to ("See held messages") and survives a reload.
import type { MessageStatus } from '../../api/types.ts';
import type { MessageQuery } from './messages-api.ts';

export const HISTORY_PATH = '/failure-history';
export const HISTORY_STATUSES: MessageStatus[] = ['failed', 'held', 'retrying'];

export type RangeKey = 'all' | '1h' | '24h' | '7d' | 'custom';

export const RANGE_OPTIONS: { value: RangeKey; label: string }[] = [
  { value: 'all', label: 'Any time' },
  { value: '1h', label: 'Last hour' },
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
  { value: 'custom', label: 'Custom…' },
];

const RANGE_MS: Record<'1h' | '24h' | '7d', number> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 };

export interface HistoryFilters {
  /** '' = failed, held and retrying. */
  status: '' | 'failed' | 'held' | 'retrying';
  serverId: string;
  recipient: string;
  code: string;
  range: RangeKey;
  /** Custom range, as a datetime-local input holds it ("2026-11-23T17:05"), local time. */
  from: string;
  to: string;
}

export const EMPTY_FILTERS: HistoryFilters = { status: '', serverId: '', recipient: '', code: '', range: 'all', from: '', to: '' };

export function filtersFromQuery(q: URLSearchParams): HistoryFilters {
  const status = q.get('status') ?? '';
  const range = q.get('range') ?? 'all';
  return {
    status: (HISTORY_STATUSES as string[]).includes(status) ? (status as HistoryFilters['status']) : '',
    serverId: q.get('serverId') ?? '',
    recipient: q.get('recipient') ?? '',
    code: q.get('code') ?? '',
    range: RANGE_OPTIONS.some((o) => o.value === range) ? (range as RangeKey) : 'all',
    from: q.get('from') ?? '',
    to: q.get('to') ?? '',
  };
}

/** The page's address for these filters; empty values are left out. */
export function historyPath(f: Partial<HistoryFilters>): string {
  const q = new URLSearchParams();
  const all = { ...EMPTY_FILTERS, ...f };
  if (all.status) q.set('status', all.status);
  if (all.serverId) q.set('serverId', all.serverId);
  if (all.recipient.trim()) q.set('recipient', all.recipient.trim());
  if (all.code.trim()) q.set('code', all.code.trim().toUpperCase());
  if (all.range !== 'all') q.set('range', all.range);
  if (all.range === 'custom') {
    if (all.from) q.set('from', all.from);
    if (all.to) q.set('to', all.to);
  }
  return q.size ? `${HISTORY_PATH}?${q}` : HISTORY_PATH;
}

function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** The API query for these filters, with "last hour" and the like counted back from `now`. */
export function toMessageQuery(f: HistoryFilters, now: number): MessageQuery {
  let since: string | undefined;
  let until: string | undefined;
  if (f.range === 'custom') {
    since = localToIso(f.from);
    until = localToIso(f.to);
  } else if (f.range !== 'all') {
    since = new Date(now - RANGE_MS[f.range]).toISOString();
  }
  return {
    statuses: f.status ? [f.status] : HISTORY_STATUSES,
    serverId: f.serverId || undefined,
    recipient: f.recipient.trim() || undefined,
    code: f.code.trim().toUpperCase() || undefined,
    since,
    until,
  };
}

export function hasFilters(f: HistoryFilters): boolean {
  return historyPath(f) !== HISTORY_PATH;
}

/** The list's address last seen, so the detail page's "back" returns to the same filtered view. */
let lastListPath = HISTORY_PATH;
export function rememberListPath(path: string): void {
  lastListPath = path;
}
export function listPathToReturnTo(): string {
  return lastListPath;
}
