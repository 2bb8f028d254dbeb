import type { ReactNode } from 'react';

interface AlertProps {
  kind: 'error' | 'warning' | 'success' | 'info';
  title?: ReactNode;
  children?: ReactNode;
  onDismiss?: () => void;
}

/** Errors interrupt (role="alert"); the others are announced politely (role="status"). */
export function Alert({ kind, title, children, onDismiss }: AlertProps) {
  return (
    <div className={`alert alert--${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      <div className="alert__body">
        {title ? <p className="alert__title">{title}</p> : null}
        {children ? <div className="alert__text">{children}</div> : null}
      </div>
      {onDismiss ? (
        <button type="button" className="alert__dismiss" onClick={onDismiss} aria-label="Dismiss">×</button>
      ) : null}
    </div>
  );
}
