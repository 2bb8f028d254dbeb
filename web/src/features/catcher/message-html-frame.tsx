// A caught message's HTML is untrusted: anyone the host application forwards can write it. It is
// shown in an iframe with an empty sandbox (no scripts, no forms, no popups, a unique origin that can
// read nothing of Mailroom's) and a Content-Security-Policy placed before the message's own markup,
// so nothing remote loads: no tracking pixels, no remote images, fonts or style sheets. Links do not
// open from here (the sandbox refuses new windows, and <base target> sends every link there).

/** Only inline styles and images carried in the message itself (data: URLs). */
export const REMOTE_CONTENT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

/** The srcdoc: the policy first, so it is in force before the parser meets any of the message's markup. */
export function sandboxedDocument(html: string): string {
  return [
    `<meta http-equiv="Content-Security-Policy" content="${REMOTE_CONTENT_CSP}">`,
    '<meta charset="utf-8">',
    '<base target="_blank">',
    '<style>body{margin:1rem;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:14px;line-height:1.5;color:#1d2433;background:#fff}</style>',
    html,
  ].join('');
}

export function MessageHtmlFrame({ html, title }: { html: string; title: string }) {
  return <iframe className="catcher-frame" sandbox="" srcDoc={sandboxedDocument(html)} title={title} referrerPolicy="no-referrer" />;
}
