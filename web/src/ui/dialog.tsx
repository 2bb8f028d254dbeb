// A modal built on the native <dialog>: focus is trapped and restored by the browser, Escape closes.
import { useEffect, useId, useRef, type ReactNode } from 'react';

interface DialogProps {
  open: boolean;
  title: ReactNode;
  onClose: () => void;
  children: ReactNode;
  footer: ReactNode;
  /** For content that needs room, such as a test result with its transcript. */
  wide?: boolean;
}

export function Dialog({ open, title, onClose, children, footer, wide }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (open && !el.open) el.showModal();
    if (!open && el.open) el.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={wide ? 'dialog dialog--wide' : 'dialog'}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {open ? (
        <div className="dialog__inner">
          <h2 className="dialog__title" id={titleId}>{title}</h2>
          <div className="dialog__body">{children}</div>
          <div className="dialog__footer">{footer}</div>
        </div>
      ) : null}
    </dialog>
  );
}
