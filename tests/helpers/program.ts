import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';

/** Runs a program with its output in a log file; `stop` ends exactly this process. */
export function startProgram(command: string, args: string[], log: string): { child: ChildProcess; stop: () => Promise<void> } {
  const out = fs.openSync(log, 'a');
  const child = spawn(command, args, { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
