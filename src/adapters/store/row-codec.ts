// Conversions shared by the store files: 0/1 integers ↔ booleans and JSON text ↔ values.
export const toBool = (v: number | boolean | null | undefined): boolean => v === 1 || v === true;
export const fromBool = (v: boolean): number => (v ? 1 : 0);
export function fromJson<T>(text: string | null | undefined, fallback: T): T {
  if (!text) return fallback;
  return JSON.parse(text) as T;
}
export const toJson = (v: unknown): string => JSON.stringify(v);
