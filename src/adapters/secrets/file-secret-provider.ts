// `file:PATH` — a secret read from a file (Docker and Kubernetes secret mounts), only under folders the
// instance allows.
//
// Scoping. Each allowed folder is either per company — `{company}` as its last segment, replaced by the
// company's slug ("/run/secrets/mailroom/{company}" → "/run/secrets/mailroom/acme") — or instance-wide
// (no `{company}`): every company may read what is in it, which is the operator's deliberate choice.
// `{company}` must be the whole last segment so that the company folders are siblings that cannot
// contain one another; folders that would contain another allowed folder are refused at boot.
//
// A reference is absolute ("/run/secrets/mailroom/acme/smtp") or relative ("smtp"), the latter looked up
// in the company's allowed folders in their configured order. Paths with "." or ".." segments are
// refused outright, and the file's real path (every symbolic link followed) must lie inside the real
// path of an allowed folder, so a link cannot lead out of it.
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { SecretProvider, SecretScope } from '../../core/ports.ts';
import { MAX_SECRET_VALUE_BYTES, invalidReference, scopeSlug, unresolvedReference } from './secret-reference-rules.ts';

export interface FileSecretProviderConfig {
  /** Absolute folders; `{company}` may be the last segment. Empty: the scheme is disabled. */
  dirs: string[];
  /** Folders never readable even inside an allowed one — Mailroom's data folder with its key file. */
  reservedDirs?: string[];
}

const COMPANY_PLACEHOLDER = '{company}';
/** Below PATH_MAX (4096); bounds what is echoed into messages. */
const MAX_PATH_LENGTH = 1024;

interface AllowedDir {
  /** As configured, normalized. */
  template: string;
  /** For a per-company folder: the folder holding every company folder. */
  companiesRoot: string | null;
}

interface ExpandedDir {
  dir: string;
  companiesRoot: string | null;
}

export class FileSecretProvider implements SecretProvider {
  readonly scheme = 'file';
  readonly #dirs: AllowedDir[];
  readonly #reservedDirs: string[];

  constructor(config: FileSecretProviderConfig) {
    this.#dirs = config.dirs.map((dir) => checkAllowedDir(dir));
    refuseOverlappingDirs(this.#dirs);
    this.#reservedDirs = (config.reservedDirs ?? []).map((dir) => path.resolve(dir));
  }

  async resolve(refPath: string, scope: SecretScope): Promise<string> {
    if (this.#dirs.length === 0) {
      throw invalidReference(this.scheme, refPath, 'cannot be used: file references are not enabled on this instance');
    }
    checkReferencePath(this.scheme, refPath);
    const slug = scopeSlug(this.scheme, refPath, scope);
    const dirs: ExpandedDir[] = this.#dirs.map((d) => ({
      dir: d.companiesRoot === null ? d.template : path.join(d.companiesRoot, slug),
      companiesRoot: d.companiesRoot,
    }));

    const located = path.isAbsolute(refPath)
      ? await this.#locateAbsolute(refPath, dirs)
      : await this.#locateRelative(refPath, dirs);
    await this.#refuseReserved(refPath, located);
    return readSecretFile(this.scheme, refPath, located);
  }

  /** An absolute reference must name a file lexically inside one of the company's allowed folders. */
  async #locateAbsolute(refPath: string, dirs: ExpandedDir[]): Promise<string> {
    const candidates = dirs.filter((d) => isInside(refPath, d.dir));
    if (candidates.length === 0) {
      throw invalidReference(this.scheme, refPath, 'is not inside a folder this instance allows for this company');
    }
    const real = await realFile(this.scheme, refPath, refPath);
    if (real === undefined) throw unresolvedReference(this.scheme, refPath, 'could not be resolved: the file does not exist');
    for (const candidate of candidates) {
      if (await this.#containsReal(refPath, candidate, real)) return real;
    }
    throw invalidReference(this.scheme, refPath, 'leads outside the allowed folders through a symbolic link');
  }

  /** A relative reference is looked up in each allowed folder in order; the first file found wins. */
  async #locateRelative(refPath: string, dirs: ExpandedDir[]): Promise<string> {
    for (const candidate of dirs) {
      const real = await realFile(this.scheme, refPath, path.join(candidate.dir, refPath));
      if (real === undefined) continue;
      if (await this.#containsReal(refPath, candidate, real)) return real;
      throw invalidReference(this.scheme, refPath, 'leads outside the allowed folders through a symbolic link');
    }
    throw unresolvedReference(this.scheme, refPath, 'could not be resolved: no such file in the folders allowed for this company');
  }

  /** Whether the real file lies inside the real folder — and the folder itself is the company's own. */
  async #containsReal(refPath: string, allowed: ExpandedDir, realFilePath: string): Promise<boolean> {
    const realDir = await realFile(this.scheme, refPath, allowed.dir);
    if (realDir === undefined) return false;
    if (allowed.companiesRoot !== null) {
      // A company folder that is itself a link to a sibling company's folder would hand that sibling's
      // files over; inside the companies root, a company folder must be exactly its own.
      const realRoot = await realFile(this.scheme, refPath, allowed.companiesRoot);
      if (realRoot !== undefined && isInside(realDir, realRoot) && realDir !== path.join(realRoot, path.basename(allowed.dir))) {
        return false;
      }
    }
    return isInside(realFilePath, realDir);
  }

  async #refuseReserved(refPath: string, realFilePath: string): Promise<void> {
    for (const reserved of this.#reservedDirs) {
      const realReserved = (await realFile(this.scheme, refPath, reserved)) ?? reserved;
      if (isInside(realFilePath, realReserved) || realFilePath === realReserved) {
        throw invalidReference(this.scheme, refPath, 'names a file in a folder Mailroom keeps for itself');
      }
    }
  }
}

function checkAllowedDir(configured: string): AllowedDir {
  if (!path.isAbsolute(configured)) throw new Error(`invalid configuration: secret file folder "${configured}" must be an absolute path`);
  const normalized = path.resolve(configured);
  if (normalized === path.parse(normalized).root) throw new Error('invalid configuration: the file system root cannot be a secret file folder');
  const placeholders = normalized.split(COMPANY_PLACEHOLDER).length - 1;
  if (placeholders === 0) return { template: normalized, companiesRoot: null };
  if (placeholders > 1 || path.basename(normalized) !== COMPANY_PLACEHOLDER) {
    throw new Error(`invalid configuration: secret file folder "${configured}" may use {company} only as its whole last segment`);
  }
  const companiesRoot = path.dirname(normalized);
  if (companiesRoot === path.parse(companiesRoot).root) {
    throw new Error(`invalid configuration: secret file folder "${configured}" needs a parent folder other than the root`);
  }
  return { template: normalized, companiesRoot };
}

/**
 * Refuses folder lists where one allowed area contains another: an instance-wide folder containing the
 * company folders would let every company read every other's files, and one companies root inside
 * another would make some company's folder contain all the others.
 */
function refuseOverlappingDirs(dirs: AllowedDir[]): void {
  const areas = dirs.map((d) => d.companiesRoot ?? d.template);
  for (let i = 0; i < dirs.length; i++) {
    for (let j = 0; j < dirs.length; j++) {
      if (i === j) continue;
      const a = areas[i] as string;
      const b = areas[j] as string;
      const bothInstanceWide = dirs[i]?.companiesRoot === null && dirs[j]?.companiesRoot === null;
      if (bothInstanceWide) continue; // nested shared folders give nobody more than either alone
      if (a === b || isInside(b, a)) {
        throw new Error(`invalid configuration: secret file folders "${dirs[i]?.template}" and "${dirs[j]?.template}" overlap`);
      }
    }
  }
}

function checkReferencePath(scheme: string, refPath: string): void {
  if (refPath.length === 0) throw invalidReference(scheme, refPath, 'has an empty path');
  if (refPath.length > MAX_PATH_LENGTH) throw invalidReference(scheme, refPath, `has a path longer than ${MAX_PATH_LENGTH} characters`);
  if (/[\u0000-\u001f\u007f\\]/.test(refPath)) throw invalidReference(scheme, refPath, 'has a control character or backslash in its path');
  const segments = refPath.split('/');
  const inner = path.isAbsolute(refPath) ? segments.slice(1) : segments;
  for (const segment of inner) {
    if (segment === '') throw invalidReference(scheme, refPath, 'has an empty segment in its path');
    if (segment === '.' || segment === '..') throw invalidReference(scheme, refPath, 'may not use "." or ".." in its path');
  }
}

/** Real path of an existing file or folder; undefined when absent. Other failures are unresolved. */
async function realFile(scheme: string, refPath: string, target: string): Promise<string | undefined> {
  try {
    return await realpath(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    if (code === 'EACCES') throw unresolvedReference(scheme, refPath, 'could not be resolved: Mailroom may not read it (permission denied)', err);
    throw unresolvedReference(scheme, refPath, 'could not be resolved: the file could not be read', err);
  }
}

async function readSecretFile(scheme: string, refPath: string, realFilePath: string): Promise<string> {
  let handle;
  try {
    // O_NOFOLLOW: the real path was checked, so a link appearing there since is refused, not followed.
    // O_NONBLOCK: a FIFO placed in a secret folder must not block the worker forever.
    handle = await open(realFilePath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw unresolvedReference(scheme, refPath, 'could not be resolved: the file does not exist', err);
    if (code === 'EACCES') throw unresolvedReference(scheme, refPath, 'could not be resolved: Mailroom may not read it (permission denied)', err);
    if (code === 'ELOOP') throw invalidReference(scheme, refPath, 'leads outside the allowed folders through a symbolic link');
    throw unresolvedReference(scheme, refPath, 'could not be resolved: the file could not be opened', err);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw unresolvedReference(scheme, refPath, 'could not be resolved: it is not a regular file');
    if (stats.size > MAX_SECRET_VALUE_BYTES) {
      throw unresolvedReference(scheme, refPath, `could not be resolved: the file is larger than ${MAX_SECRET_VALUE_BYTES / 1024} KiB`);
    }
    // Read one byte past the cap: a file that grew since stat() is caught here.
    const buffer = Buffer.alloc(MAX_SECRET_VALUE_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > MAX_SECRET_VALUE_BYTES) {
      throw unresolvedReference(scheme, refPath, `could not be resolved: the file is larger than ${MAX_SECRET_VALUE_BYTES / 1024} KiB`);
    }
    const value = trimOneTrailingNewline(buffer.subarray(0, bytesRead).toString('utf8'));
    buffer.fill(0);
    if (value === '') throw unresolvedReference(scheme, refPath, 'could not be resolved: the file is empty');
    return value;
  } finally {
    await handle.close();
  }
}

/** Editors and `echo` end files with one newline that is not part of the secret; only that one goes. */
function trimOneTrailingNewline(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  if (text.endsWith('\n')) return text.slice(0, -1);
  return text;
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}
