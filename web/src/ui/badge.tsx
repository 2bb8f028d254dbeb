import type { ReactNode } from 'react';

export function Badge({ tone, children, title }: { tone: 'green' | 'grey' | 'blue' | 'amber' | 'red'; children: ReactNode; title?: string }) {
  return <span className={`badge badge--${tone}`} title={title}>{children}</span>;
}
