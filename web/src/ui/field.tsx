// Labelled form controls. Every control has a real <label>, its hint and error are tied to it with
// aria-describedby, and an error sets aria-invalid so assistive tech (and tests) can find it.
import { useId, type ReactNode, type Ref, type InputHTMLAttributes, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';

interface FieldFrameProps {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  /** Advice that does not block saving ("Port 587 normally uses STARTTLS…"). */
  warnings?: string[];
  required?: boolean;
  children: ReactNode;
  className?: string;
}

export function describedBy(id: string, hint?: ReactNode, error?: string, warnings?: string[]): string | undefined {
  const ids = [hint ? `${id}-hint` : '', warnings?.length ? `${id}-warning` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

export function FieldFrame({ id, label, hint, error, warnings, required, children, className }: FieldFrameProps) {
  return (
    <div className={`field${error ? ' field--invalid' : ''}${className ? ` ${className}` : ''}`}>
      <span className="field__label-row">
        <label className="field__label" htmlFor={id}>{label}</label>
        {/* Outside the <label> so the accessible name stays exactly the label; aria-required says it. */}
        {required ? <span className="field__required" aria-hidden="true">*</span> : null}
      </span>
      {children}
      {hint ? <p className="field__hint" id={`${id}-hint`}>{hint}</p> : null}
      {warnings?.length ? <FieldWarnings id={`${id}-warning`} messages={warnings} /> : null}
      {error ? <FieldError id={`${id}-error`} message={error} /> : null}
    </div>
  );
}

export function FieldWarnings({ id, messages }: { id?: string; messages: string[] }) {
  return (
    <ul className="field__warnings" id={id}>
      {messages.map((m) => (
        <li key={m} className="field__warning"><span aria-hidden="true">⚠ </span>{m}</li>
      ))}
    </ul>
  );
}

export function FieldError({ id, message }: { id?: string; message: string }) {
  return (
    <p className="field__error" id={id}>
      <span aria-hidden="true">⚠ </span>{message}
    </p>
  );
}

type TextFieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value'> & {
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  hint?: ReactNode;
  error?: string;
  warnings?: string[];
  className?: string;
  ref?: Ref<HTMLInputElement>;
};

export function TextField({ label, value, onChange, hint, error, warnings, required, className, id: givenId, ref, ...rest }: TextFieldProps) {
  const autoId = useId();
  const id = givenId ?? autoId;
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error} warnings={warnings} required={required} className={className}>
      <input
        ref={ref}
        id={id}
        className="input"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error, warnings)}
        aria-required={required || undefined}
        {...rest}
      />
    </FieldFrame>
  );
}

type TextAreaFieldProps = Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'onChange' | 'value'> & {
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  hint?: ReactNode;
  error?: string;
};

export function TextAreaField({ label, value, onChange, hint, error, required, ...rest }: TextAreaFieldProps) {
  const id = useId();
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error} required={required}>
      <textarea
        id={id}
        className="input input--textarea"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        {...rest}
      />
    </FieldFrame>
  );
}

export interface Option {
  value: string;
  label: string;
}

type SelectFieldProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'onChange' | 'value'> & {
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  options: Option[];
  hint?: ReactNode;
  error?: string;
  warnings?: string[];
  placeholder?: string;
};

export function SelectField({ label, value, onChange, options, hint, error, warnings, required, placeholder, className, ...rest }: SelectFieldProps) {
  const id = useId();
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error} warnings={warnings} required={required} className={className}>
      <select
        id={id}
        className="input input--select"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error, warnings)}
        {...rest}
      >
        {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
        {options.map((o) => (
          <option key={o.value} value={o.value}>{o.label}</option>
        ))}
      </select>
    </FieldFrame>
  );
}

interface CheckboxFieldProps {
  label: ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: ReactNode;
  error?: string;
  disabled?: boolean;
}

export function CheckboxField({ label, checked, onChange, hint, error, disabled }: CheckboxFieldProps) {
  const id = useId();
  return (
    <div className={`field field--checkbox${error ? ' field--invalid' : ''}`}>
      <div className="checkbox">
        <input
          id={id}
          type="checkbox"
          checked={checked}
          disabled={disabled}
          onChange={(e) => onChange(e.target.checked)}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy(id, hint, error)}
        />
        <label htmlFor={id}>{label}</label>
      </div>
      {hint ? <p className="field__hint field__hint--checkbox" id={`${id}-hint`}>{hint}</p> : null}
      {error ? <FieldError id={`${id}-error`} message={error} /> : null}
    </div>
  );
}

interface RadioGroupProps {
  legend: ReactNode;
  name: string;
  value: string;
  onChange: (value: string) => void;
  options: Option[];
  error?: string;
  hint?: ReactNode;
}

export function RadioGroup({ legend, name, value, onChange, options, error, hint }: RadioGroupProps) {
  const id = useId();
  return (
    <fieldset className={`field radio-group${error ? ' field--invalid' : ''}`} aria-describedby={describedBy(id, hint, error)}>
      <legend className="field__label">{legend}</legend>
      <div className="radio-group__options">
        {options.map((o) => (
          <label key={o.value} className="radio">
            <input type="radio" name={`${name}-${id}`} value={o.value} checked={value === o.value} onChange={() => onChange(o.value)} />
            <span>{o.label}</span>
          </label>
        ))}
      </div>
      {hint ? <p className="field__hint" id={`${id}-hint`}>{hint}</p> : null}
      {error ? <FieldError id={`${id}-error`} message={error} /> : null}
    </fieldset>
  );
}
