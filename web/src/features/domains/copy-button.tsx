// "Copy" for a DNS name or value: record values are long (a DKIM key is ~400 characters) and one
// wrong character breaks them, so they are copied, never retyped.
import { useState } from 'react';

export function CopyButton({ text, label, targetId }: { text: string; label: string; targetId: string }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 2_000);
    } catch {
      // No clipboard permission (plain http): select the text so Ctrl+C works.
      const el = document.getElementById(targetId);
      const selection = window.getSelection();
      if (el && selection) {
        const range = document.createRange();
        range.selectNodeContents(el);
        selection.removeAllRanges();
        selection.addRange(range);
      }
    }
  }
  return (
    // The visible word is the start of the accessible name, so "Copied" is announced too.
    <button type="button" className="button button--small" onClick={() => void copy()}>
      {copied ? 'Copied' : 'Copy'}<span className="visually-hidden"> {label}</span>
    </button>
  );
}
