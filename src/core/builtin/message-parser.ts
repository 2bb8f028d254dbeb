// The catcher shows a caught message as a mail client would: its parts, headers and attachments.
// Parsing MIME is an adapter's job (mailparser); the core sees this shape.

export interface ParsedAttachment {
  /** Position among the message's attachments: the download URL uses it. */
  index: number;
  filename: string | null;
  contentType: string;
  size: number;
  /** Set for inline parts referenced from the HTML as cid:… */
  contentId: string | null;
  inline: boolean;
}

export interface ParsedMessage {
  /** Every header in order, decoded (RFC 2047), one line each. */
  headers: { name: string; value: string }[];
  text: string | null;
  html: string | null;
  attachments: ParsedAttachment[];
}

export interface MessageParser {
  parse(raw: string): Promise<ParsedMessage>;
  /** The bytes of one attachment, or null when there is no such attachment. */
  attachment(raw: string, index: number): Promise<{ meta: ParsedAttachment; content: Buffer } | null>;
}
