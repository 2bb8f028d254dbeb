// The conversation with the server, collapsed until asked for. The API has already replaced every
// credential with a placeholder; lines keep swaks' notation (<- server, -> Mailroom, ~ inside TLS,
// === notes), coloured by who spoke.
export function ProbeTranscript({ lines }: { lines: string[] }) {
  if (lines.length === 0) return null;
  return (
    <details className="probe-transcript">
      <summary>Conversation with the server (transcript, {lines.length} {lines.length === 1 ? 'line' : 'lines'})</summary>
      <p className="probe-transcript__note">
        <span className="mono">&lt;-</span> the server, <span className="mono">-&gt;</span> Mailroom, <span className="mono">~</span> encrypted,{' '}
        <span className="mono">===</span> notes. Passwords are never shown.
      </p>
      <pre className="probe-transcript__text">
        {lines.map((line, i) => (
          <span key={i} className={`probe-transcript__line probe-transcript__line--${speaker(line)}`}>{line}{'\n'}</span>
        ))}
      </pre>
    </details>
  );
}

function speaker(line: string): 'server' | 'client' | 'note' {
  if (line.startsWith('===')) return 'note';
  if (/^ ?[-~]>/.test(line)) return 'client';
  return 'server';
}
