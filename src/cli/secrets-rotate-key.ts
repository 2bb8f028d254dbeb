// `mailroom secrets rotate-key`: re-seal every stored secret under a new key, losing nothing.
// Key file mode, crash-safe in three steps: (1) write the file with the new key first and the old
// ones after it, (2) re-seal every value in one transaction, (3) rewrite the file with the new key
// alone. A crash after (1) or (2) leaves every value readable by the keys in the file.
import { AesGcmSealer, keyId } from '../adapters/secrets/aes-gcm-sealer.ts';
import { decodeKey, generateKey, keySourceFor, writeKeyFileAtomically } from '../adapters/secrets/secret-key-source.ts';
import { loadConfig } from '../config/config.ts';
import { resealAll } from '../core/secrets/key-rotation.ts';
import { appFromFlags, parseFlags, runCli, UsageError } from './cli-support.ts';

const USAGE = `Usage: mailroom secrets rotate-key [--data-dir ./data] [--new-key-env VAR] [--keep-previous]
  With a key file (the default): a new key is generated, every secret re-sealed, the file rewritten.
  With MAILROOM_SECRET_KEY: the new key is read from --new-key-env VAR (or generated and printed);
  afterwards set MAILROOM_SECRET_KEY to it. Stop Mailroom first, or restart every instance after.`;

export function secretsRotateKeyCommand(args: string[]): Promise<number> {
  return runCli(USAGE, async () => {
    const values = parseFlags(args, { 'new-key-env': { type: 'string' }, 'keep-previous': { type: 'boolean' } });
    if (values.help) { process.stdout.write(USAGE + '\n'); return 0; }
    const config = loadConfig(process.env, { dataDir: values['data-dir'] });
    const source = keySourceFor({ secretKey: config.secretKey, previousKeys: process.env.MAILROOM_SECRET_KEY_PREVIOUS ?? null, dataDir: config.dataDir });
    const oldRing = source.load();
    let newKey = generateKey();
    if (values['new-key-env']) {
      const text = process.env[values['new-key-env']];
      if (!text) throw new UsageError(`environment variable ${values['new-key-env']} is empty or not set`);
      newKey = decodeKey(text, values['new-key-env']);
    }
    if (keyId(newKey) === keyId(oldRing.current)) throw new UsageError('the new key is the key in use now');
    const oldKeys = [oldRing.current, ...oldRing.readable];
    if (source.kind === 'file') writeKeyFileAtomically(source.file!, [newKey, ...oldKeys], { replace: true });

    const app = await appFromFlags(values);
    try {
      const from = new AesGcmSealer(oldRing);
      const to = new AesGcmSealer({ current: newKey, readable: [] });
      const report = await resealAll(app.services.store, from, to);
      if (source.kind === 'file') writeKeyFileAtomically(source.file!, values['keep-previous'] ? [newKey, ...oldKeys] : [newKey], { replace: true });
      process.stderr.write(`Re-sealed ${report.mailServerPasswords} mail server password(s), ${report.historicalPasswords} password(s) in server history, ${report.companySecrets} company secret(s), ${report.webhookSecrets} webhook signing secret(s) and ${report.dkimKeys} DKIM key(s) under key ${keyId(newKey)}.\n`);
      if (source.kind === 'env') {
        process.stderr.write('Now set MAILROOM_SECRET_KEY to the new key and restart Mailroom.\n');
        if (!values['new-key-env']) process.stdout.write(`${newKey.toString('base64')}\n`);
      } else {
        process.stderr.write(`Key file ${source.file} now holds the new key${values['keep-previous'] ? ' (old keys kept readable)' : ''}. Restart running instances.\n`);
      }
      return 0;
    } finally {
      await app.close();
    }
  });
}
