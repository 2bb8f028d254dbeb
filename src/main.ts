// argv → a CLI command; no logic here.
import { COMMANDS } from './cli/commands.ts';

async function main(argv: string[]): Promise<number> {
  const command = COMMANDS
    .filter((c) => c.words.every((w, i) => argv[i] === w))
    .sort((a, b) => b.words.length - a.words.length)[0];
  if (!command || argv[0] === '--help' || argv[0] === 'help') {
    const lines = COMMANDS.map((c) => `  mailroom ${c.words.join(' ').padEnd(20)} ${c.summary}`);
    process.stdout.write(`Usage: mailroom <command> [options]\n\nCommands:\n${lines.join('\n')}\n`);
    return command || argv.length === 0 || argv[0] === '--help' || argv[0] === 'help' ? 0 : 2;
  }
  return command.run(argv.slice(command.words.length));
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    process.stderr.write(`mailroom: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
