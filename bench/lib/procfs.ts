// What a process cost, read from /proc (Linux only): CPU time (user + system) and peak resident
// memory (VmHWM). Read before and after the measured window; the difference is the run's CPU.
import fs from 'node:fs';

const TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux x86-64

interface StatTimes {
  ppid: number;
  comm: string;
  /** utime + stime of the process itself, in ms. */
  selfMs: number;
  /** cutime + cstime: children it has waited for (reaped), in ms. */
  reapedChildrenMs: number;
}

function readStat(pid: number): StatTimes | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14, stime 15, cutime 16, cstime 17.
  const at = (field: number) => Number(fields[field - 3]);
  const ms = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND;
  return { ppid: at(4), comm, selfMs: ms(at(14) + at(15)), reapedChildrenMs: ms(at(16) + at(17)) };
}

/** CPU time used so far by one process (user + system), in ms. */
export function cpuMs(pid: number): number {
  return readStat(pid)?.selfMs ?? Number.NaN;
}

/** Peak resident set size of a live process (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU used so far by the local PostgreSQL server, all its processes: the live ones, plus the
 * backends that already exited (the postmaster's reaped-children time). A difference of two reads
 * is the server's CPU for what happened in between — if nothing else uses that server meanwhile.
 */
export function postgresCpuMs(): number {
  const procs = new Map<number, StatTimes>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s && s.comm === 'postgres') procs.set(Number(name), s);
  }
  let total = 0;
  for (const s of procs.values()) {
    total += s.selfMs;
    if (!procs.has(s.ppid)) total += s.reapedChildrenMs; // the postmaster
  }
  return total;
}
