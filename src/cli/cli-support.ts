// Shared by the CLI commands: flag parsing with clear errors, and building the app from flags.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { buildApp, type App, type BuildOptions } from '../app.ts';
import { loadConfig } from '../config/config.ts';
import { isAppError } from '../core/errors.ts';

export const COMMON_FLAGS = {
  'data-dir': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export class UsageError extends Error {}

export function parseFlags<T extends ParseArgsConfig['options']>(args: string[], options: T) {
  try {
    return parseArgs({ args, options: { ...COMMON_FLAGS, ...options }, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

export async function appFromFlags(values: { 'data-dir'?: string; port?: string; host?: string }, options: BuildOptions = {}): Promise<App> {
  const config = loadConfig(process.env, { dataDir: values['data-dir'], port: values.port, host: values.host });
  return buildApp(config, options);
}

/** Runs a command body: usage errors exit 2, refused input exits 1 with the plain message. */
export async function runCli(usage: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n\n${usage}\n`);
      return 2;
    }
    if (isAppError(err)) {
      const fields = err.fields?.map((f) => `  ${f.field}: ${f.message}`).join('\n');
      process.stderr.write(`error: ${err.message}\n${fields ? fields + '\n' : ''}`);
      return 1;
    }
    throw err;
  }
}
