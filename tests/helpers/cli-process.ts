import { execFile } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'self-healing.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `self-healing <args>` as its own process, the way a person or CI would. */
export function runCli(args: string[], options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
    // Only what the test gives: no key or URL leaks in from the machine's environment.
    if (!options.env?.SELF_HEALING_API_KEY) delete env.SELF_HEALING_API_KEY;
    if (!options.env?.SELF_HEALING_URL) delete env.SELF_HEALING_URL;
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: options.cwd ?? ROOT, env, timeout: options.timeoutMs ?? 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        if (code === null) reject(err);
        else resolve({ code, stdout, stderr });
      },
    );
  });
}
