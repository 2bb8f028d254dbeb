// The client frames of the SASL mechanisms the probe speaks (RFC 4954 AUTH with PLAIN RFC 4616,
// LOGIN, CRAM-MD5 RFC 2195, and Google/Microsoft XOAUTH2). Every frame carries a credential, so the
// caller writes them with SmtpChannel.writeCredentials and lists them for scrubbing.
import { createHmac } from 'node:crypto';

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

export function plainFrame(username: string, password: string): string {
  return base64(`\0${username}\0${password}`);
}

export function loginUsernameFrame(username: string): string {
  return base64(username);
}

export function loginPasswordFrame(password: string): string {
  return base64(password);
}

/** `challengeBase64` is the text of the server's 334 reply. */
export function cramMd5Frame(username: string, password: string, challengeBase64: string): string {
  const challenge = Buffer.from(challengeBase64.trim(), 'base64').toString('utf8');
  const digest = createHmac('md5', password).update(challenge).digest('hex');
  return base64(`${username} ${digest}`);
}

export function xoauth2Frame(username: string, accessToken: string): string {
  return base64(`user=${username}\x01auth=Bearer ${accessToken}\x01\x01`);
}
