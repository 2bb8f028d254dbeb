// Submit a form to the API and keep what the answer said: a page-level message and, for
// VALIDATION_FAILED, one message per field path ("port", "customHeaders.0.name", …).
import { useCallback, useState } from 'react';
import { ApiError, errorMessage } from '../api/client.ts';

export interface Submission {
  submitting: boolean;
  error: string | null;
  errorCode: string | null;
  fieldErrors: Record<string, string>;
  run<T>(work: () => Promise<T>): Promise<T | undefined>;
  clear(): void;
  /** Forget the error of a field (and of paths under it) once the user edits it. */
  dismissField(field: string): void;
  /** Field errors whose field no input on the page claimed (shown in the summary instead). */
  unclaimed(claimed: string[]): { field: string; message: string }[];
}

const FIELDS_SUMMARY = 'Some fields need attention — see the messages below each field.';

export function useSubmission(): Submission {
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [errorCode, setErrorCode] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  const clear = useCallback(() => {
    setError(null);
    setErrorCode(null);
    setFieldErrors({});
  }, []);

  const run = useCallback(async <T,>(work: () => Promise<T>): Promise<T | undefined> => {
    setSubmitting(true);
    clear();
    try {
      return await work();
    } catch (err) {
      if (err instanceof ApiError) {
        setErrorCode(err.code);
        setFieldErrors(err.fieldMessages());
        setError(err.fields.length > 0 ? FIELDS_SUMMARY : err.message);
      } else {
        setError(errorMessage(err));
      }
      return undefined;
    } finally {
      setSubmitting(false);
    }
  }, [clear]);

  const dismissField = useCallback((field: string) => {
    setFieldErrors((prev) => {
      const keys = Object.keys(prev).filter((k) => k === field || k.startsWith(`${field}.`));
      if (keys.length === 0) return prev;
      const next = { ...prev };
      for (const k of keys) delete next[k];
      // Every field fixed: the "some fields need attention" summary has nothing left to say.
      if (Object.keys(next).length === 0) setError((e) => (e === FIELDS_SUMMARY ? null : e));
      return next;
    });
  }, []);

  const unclaimed = useCallback((claimed: string[]) => {
    return Object.entries(fieldErrors)
      .filter(([field]) => !claimed.some((c) => field === c || field.startsWith(`${c}.`)))
      .map(([field, message]) => ({ field, message }));
  }, [fieldErrors]);

  return { submitting, error, errorCode, fieldErrors, run, clear, dismissField, unclaimed };
}
