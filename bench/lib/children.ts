// Every process the benchmark starts is tracked here, so that an interrupted run (Ctrl-C, `timeout`)
// leaves no sink, Mailroom or Haraka behind: on SIGINT/SIGTERM each tracked child is killed by its
// own pid, then the benchmark exits. (PostgreSQL databases of an interrupted run are left behind,
// named mailroom_bench_*; drop them by hand.)
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
let installed = false;

export function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!installed) {
    installed = true;
    // A crash or process.exit() must not leave children running either.
    process.once('exit', () => { for (const c of live) c.kill('SIGKILL'); });
    // Output piped into `head` closes early: that must not crash the run half-way.
    process.stdout.on('error', () => {});
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        for (const c of live) c.kill('SIGKILL');
        process.stderr.write(`\n[bench] ${signal}: stopped ${live.size} child process(es)\n`);
        process.exit(130);
      });
    }
  }
  return child;
}
