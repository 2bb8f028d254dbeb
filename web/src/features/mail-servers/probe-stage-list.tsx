// The steps the probe walked, in order, each passed (✓) or failed (✗) with its time.
import type { ProbeStage } from '../../api/types.ts';
import { formatDuration } from '../../ui/format.ts';
import { stageLabel } from './probe-labels.ts';

export function ProbeStageList({ stages }: { stages: ProbeStage[] }) {
  if (stages.length === 0) return null;
  return (
    <ol className="probe-stages" aria-label="Steps">
      {stages.map((s, i) => (
        <li key={`${s.name}-${i}`} className={`probe-stage probe-stage--${s.ok ? 'ok' : 'failed'}`} data-stage={s.name}>
          <span className="probe-stage__mark" aria-hidden="true">{s.ok ? '✓' : '✗'}</span>
          <span className="visually-hidden">{s.ok ? 'Passed: ' : 'Failed: '}</span>
          <span className="probe-stage__label">{stageLabel(s.name)}</span>
          <span className="probe-stage__time">{formatDuration(s.ms)}</span>
        </li>
      ))}
    </ol>
  );
}
