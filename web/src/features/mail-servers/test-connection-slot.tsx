// ┌──────────────────────────────────────────────────────────────────────────────────────────────┐
// │ TODO(issue 3): "Test connection" panel goes here.                                            │
// │                                                                                              │
// │ The mail server form renders <TestConnectionSlot> between the settings and the Save button,  │
// │ with the draft exactly as it would be saved and the server id when editing. Issue 3 replaces │
// │ this placeholder with the panel that runs the SMTP dialogue stage by stage (DNS, TCP,        │
// │ greeting, EHLO, TLS, AUTH, MAIL FROM, RCPT TO, DATA) and shows green/red with the cause, the │
// │ stage, the server's reply and the fix, plus "send a test email to…" and the support bundle.  │
// │ Until then it renders nothing on purpose (no disabled button).                               │
// └──────────────────────────────────────────────────────────────────────────────────────────────┘
import type { MailServerInput } from '../../api/types.ts';

export interface TestConnectionSlotProps {
  /** The server being edited; undefined while creating a new one. */
  serverId?: string;
  /** The form's current values as a MailServerInput (password only if typed in this form). */
  draft: MailServerInput;
  /** Whether the saved server already holds a password the test could use. */
  hasSavedPassword: boolean;
}

export function TestConnectionSlot(_props: TestConnectionSlotProps) {
  return null;
}
