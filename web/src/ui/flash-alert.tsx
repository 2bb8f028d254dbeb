import { useEffect, useState } from 'react';
import { clearFlash, peekFlash } from '../app/flash.ts';
import { Alert } from './alert.tsx';

/** Shows the message the previous page left (see app/flash.ts). Mount it keyed by the route. */
export function FlashAlert() {
  const [flash, setFlashState] = useState(peekFlash);
  useEffect(() => clearFlash(), []);
  if (!flash) return null;
  return <Alert kind={flash.kind} onDismiss={() => setFlashState(null)}>{flash.text}</Alert>;
}
