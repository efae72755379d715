/** The CLI's exit codes (docs/cli.md): stable, so CI scripts can tell a failed check from a broken call. */
export const EXIT = {
  ok: 0,
  /** The check failed: invalid rules, a failing case, rules that differ, a refused action. */
  failed: 1,
  /** Bad usage or input: unknown option, missing or unreadable file, malformed JSON or cases. */
  usage: 2,
  /** The service answered with an error (4xx/5xx other than the refusals above). */
  service: 3,
  /** The service could not be reached. */
  unreachable: 4,
  /** A fault of the CLI itself (a bug: please report it). */
  internal: 70,
} as const;

/** A failure that ends the command with a message and an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'CliError';
  }
}
