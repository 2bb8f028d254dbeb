// A one-shot message carried across a navigation ("Mail server saved."). The next page peeks at it
// while rendering and clears it once mounted, so React's double render in StrictMode still sees it.
let pending: { kind: 'success' | 'warning'; text: string } | null = null;

export function setFlash(text: string, kind: 'success' | 'warning' = 'success'): void {
  pending = { kind, text };
}

export function peekFlash(): { kind: 'success' | 'warning'; text: string } | null {
  return pending;
}

export function clearFlash(): void {
  pending = null;
}
