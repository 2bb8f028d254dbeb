// Renders a message once, at accept time: the stored bytes carry the final Message-ID and Date, so
// every attempt sends exactly the same message (SECURITY.md: at least once, stable identity).

export interface RenderAttachment {
  filename: string;
  contentType: string;
  contentBase64: string;
}

export interface RenderInput {
  from: { address: string; name: string | null };
  to: string[];
  cc: string[];
  replyTo: string | null;
  subject: string;
  text: string | null;
  html: string | null;
  headers: { name: string; value: string }[];
  attachments: RenderAttachment[];
  messageId: string;
  date: Date;
}

export interface MessageRenderer {
  render(input: RenderInput): Promise<string>;
}
