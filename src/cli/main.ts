import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { findProjectRoot } from '../config/project-root';
import { CliError, EXIT } from './exit-codes';
import { type Io, processIo } from './output';
import { addRemoteCommands } from './remote-commands';
import { addRulesCommands } from './rules-commands';
import { addSourcesCommands } from './sources-commands';
import { addSilenceCommands } from './silence-commands';
import { addIncidentCommands } from './incident-commands';

/** The version of the package this CLI belongs to (the service it ships with has the same). */
function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(findProjectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** Builds the `self-healing` command tree (docs/cli.md). */
export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name('self-healing')
    .description('Check and unit-test rules files, and operate a running self-healing service.')
    .version(packageVersion(), '-V, --version', 'print the version')
    // Options after a command are that command's: lets `pause status --url …` give --url to status, not pause.
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    // Set before the subcommands exist, so each of them inherits both.
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  program.addHelpText(
    'after',
    `
Exit codes: 0 ok; 1 check failed (invalid rules, failing case, rules differ, action refused);
2 bad usage or input file; 3 the service answered with an error; 4 the service (for sources test:
a Prometheus) is unreachable.
Remote commands read the API key from SELF_HEALING_API_KEY.`,
  );
  const ctx = { io, setExit };
  addRulesCommands(program, ctx);
  addRemoteCommands(program, ctx);
  addSourcesCommands(program, ctx);
  addSilenceCommands(program, ctx);
  addIncidentCommands(program, ctx);
  return program;
}

/** Runs one command line; resolves to the exit code (it never calls process.exit). */
export async function run(argv: string[], io: Io = processIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here too, with exit code 0.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof CliError) {
      io.err([`self-healing: ${err.message}`, ...err.details].join('\n'));
      return err.exitCode;
    }
    io.err(`self-healing: unexpected error: ${(err as Error).stack ?? String(err)}`);
    return EXIT.internal;
  }
}

if (require.main === module) {
  void run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
