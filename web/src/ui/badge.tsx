import type { ReactNode } from 'react';

export function Badge({ tone, children }: { tone: 'green' | 'grey' | 'blue' | 'amber' | 'red'; children: ReactNode }) {
  return <span className={`badge badge--${tone}`}>{children}</span>;
}
