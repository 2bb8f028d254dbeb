import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileSecretProvider } from '../../src/adapters/secrets/file-secret-provider.ts';
import type { SecretScope } from '../../src/core/ports.ts';
import { COMPANY_A, COMPANY_B } from './secret-provider-contract.ts';

async function refusal(provider: FileSecretProvider, ref: string, scope: SecretScope = COMPANY_A): Promise<{ code: string; message: string }> {
  try {
    await provider.resolve(ref, scope);
  } catch (err) {
    const { code, message } = err as { code: string; message: string };
    return { code, message };
  }
  assert.fail(`${ref} resolved`);
}

describe('file secret provider', () => {
  let root: string;
  let companies: string;
  let acme: string;
  let shared: string;
  let outside: string;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'mailroom-file-provider-'));
    companies = path.join(root, 'companies');
    acme = path.join(companies, 'acme');
    shared = path.join(root, 'shared');
    outside = path.join(root, 'outside');
    for (const dir of [acme, path.join(companies, 'acme-eu'), path.join(acme, 'smtp'), shared, outside]) await mkdir(dir, { recursive: true });
    await writeFile(path.join(acme, 'password'), 'a-pass\n');
    await writeFile(path.join(acme, 'smtp', 'relay'), 'relay-pass');
    await writeFile(path.join(acme, 'crlf'), 'crlf-pass\r\n');
    await writeFile(path.join(acme, 'two-newlines'), 'pw\n\n');
    await writeFile(path.join(acme, 'empty'), '');
    await writeFile(path.join(acme, 'exactly-64k'), 'x'.repeat(64 * 1024));
    await writeFile(path.join(acme, 'too-large'), 'x'.repeat(64 * 1024 + 1));
    await writeFile(path.join(outside, 'secret'), 'outside-pass');
    await writeFile(path.join(shared, 'relay'), 'shared-pass');
    await symlink(path.join(outside, 'secret'), path.join(acme, 'escape'));
    await symlink(outside, path.join(acme, 'escape-dir'));
    await symlink(path.join(acme, 'password'), path.join(acme, 'alias'));
    execFileSync('mkfifo', [path.join(acme, 'fifo')]);
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const companyDirs = () => [path.join(companies, '{company}')];

  it('is disabled while no folder is allowed', async () => {
    const err = await refusal(new FileSecretProvider({ dirs: [] }), path.join(acme, 'password'));
    assert.equal(err.code, 'SECRET_REFERENCE_INVALID');
    assert.match(err.message, /file references are not enabled on this instance/);
  });

  it("reads the company's own files by relative or absolute path, trimming one trailing newline", async () => {
    const provider = new FileSecretProvider({ dirs: companyDirs() });
    assert.equal(await provider.resolve('password', COMPANY_A), 'a-pass');
    assert.equal(await provider.resolve(path.join(acme, 'password'), COMPANY_A), 'a-pass');
    assert.equal(await provider.resolve('smtp/relay', COMPANY_A), 'relay-pass');
    assert.equal(await provider.resolve('crlf', COMPANY_A), 'crlf-pass');
    assert.equal(await provider.resolve('two-newlines', COMPANY_A), 'pw\n');
    assert.equal(await provider.resolve('alias', COMPANY_A), 'a-pass', 'a link that stays inside is fine');
  });

  it('refuses "." and ".." segments even when they would stay inside the folder', async () => {
    const provider = new FileSecretProvider({ dirs: companyDirs() });
    for (const ref of ['smtp/../password', './password', `${acme}/smtp/../password`, `${acme}/./password`, 'smtp//relay']) {
      assert.equal((await refusal(provider, ref)).code, 'SECRET_REFERENCE_INVALID', ref);
    }
  });

  it('refuses a symbolic link that leads out of the allowed folder', async () => {
    const provider = new FileSecretProvider({ dirs: companyDirs() });
    for (const ref of ['escape', 'escape-dir/secret', path.join(acme, 'escape')]) {
      const err = await refusal(provider, ref);
      assert.equal(err.code, 'SECRET_REFERENCE_INVALID', ref);
      assert.match(err.message, /symbolic link/);
      assert.ok(!err.message.includes(outside), 'the link target is not disclosed');
    }
  });

  it("refuses a company folder that is a link to another company's folder", async () => {
    const linkedRoot = path.join(root, 'linked-companies');
    await mkdir(path.join(linkedRoot, 'acme-eu'), { recursive: true });
    await writeFile(path.join(linkedRoot, 'acme-eu', 'password'), 'b-pass');
    await symlink(path.join(linkedRoot, 'acme-eu'), path.join(linkedRoot, 'acme'));
    const provider = new FileSecretProvider({ dirs: [path.join(linkedRoot, '{company}')] });
    assert.equal(await provider.resolve('password', COMPANY_B), 'b-pass');
    assert.equal((await refusal(provider, 'password', COMPANY_A)).code, 'SECRET_REFERENCE_INVALID');
  });

  it('refuses absolute paths outside the company folder', async () => {
    const provider = new FileSecretProvider({ dirs: companyDirs() });
    for (const ref of [path.join(outside, 'secret'), path.join(companies, 'acme-eu', 'password'), '/etc/passwd', companies]) {
      assert.equal((await refusal(provider, ref)).code, 'SECRET_REFERENCE_INVALID', ref);
    }
  });

  it('caps files at 64 KiB and reads only regular, non-empty files', async () => {
    const provider = new FileSecretProvider({ dirs: companyDirs() });
    assert.equal((await provider.resolve('exactly-64k', COMPANY_A)).length, 64 * 1024);
    const tooLarge = await refusal(provider, 'too-large');
    assert.equal(tooLarge.code, 'SECRET_UNRESOLVED');
    assert.match(tooLarge.message, /larger than 64 KiB/);
    assert.equal((await refusal(provider, 'smtp')).code, 'SECRET_UNRESOLVED', 'a folder');
    assert.equal((await refusal(provider, 'fifo')).code, 'SECRET_UNRESOLVED', 'a FIFO, without blocking');
    assert.equal((await refusal(provider, 'empty')).code, 'SECRET_UNRESOLVED');
    const missing = await refusal(provider, 'missing');
    assert.equal(missing.code, 'SECRET_UNRESOLVED');
    assert.match(missing.message, /"file:missing" could not be resolved/);
  });

  it('lets every company read an instance-wide folder, but never a reserved one inside it', async () => {
    const provider = new FileSecretProvider({ dirs: [...companyDirs(), shared], reservedDirs: [path.join(shared, 'data')] });
    assert.equal(await provider.resolve('relay', COMPANY_A), 'shared-pass');
    assert.equal(await provider.resolve(path.join(shared, 'relay'), COMPANY_B), 'shared-pass');
    await mkdir(path.join(shared, 'data'), { recursive: true });
    await writeFile(path.join(shared, 'data', 'secret.key'), 'sealing-key');
    const err = await refusal(provider, path.join(shared, 'data', 'secret.key'));
    assert.equal(err.code, 'SECRET_REFERENCE_INVALID');
    assert.match(err.message, /Mailroom keeps for itself/);
  });

  it('refuses folder settings that would break scoping, at boot', () => {
    const bad = [
      ['relative/{company}'],
      ['/'],
      ['/{company}'],
      [path.join(companies, '{company}', 'smtp')],
      [path.join(companies, 'x-{company}')],
      [path.join(companies, '{company}'), companies],
      [path.join(companies, '{company}'), root],
      [path.join(companies, '{company}'), path.join(companies, 'acme')],
      [path.join(companies, '{company}'), path.join(companies, 'eu', '{company}')],
    ];
    for (const dirs of bad) assert.throws(() => new FileSecretProvider({ dirs }), /invalid configuration/, dirs.join());
    assert.doesNotThrow(() => new FileSecretProvider({ dirs: [path.join(companies, '{company}'), shared, path.join(root, 'other', '{company}')] }));
  });
});
