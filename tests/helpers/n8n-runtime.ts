import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const N8N_VERSION = '2.8.4';
const PROJECT_ROOT = path.join(__dirname, '..', '..');
export const WORKFLOWS_DIR = path.join(PROJECT_ROOT, 'docs', 'n8n');
const INSTALL_SCRIPT = path.join(PROJECT_ROOT, 'scripts', 'n8n', 'install-n8n.sh');

/** The ids the shipped workflows and their HMAC credential carry (docs/n8n/*.workflow.json). */
export const WORKFLOW_IDS = ['SHREmetricsPush1', 'SHREeventsRoute1', 'SHREdecisionIn01'];
export const CREDENTIAL = { id: 'SHREhmacSecret01', name: 'Self-healing webhook secret' };

/**
 * Installs n8n in its own folder outside this project (reused when present; the first install takes
 * minutes and about 2.3 GB) and returns the path of its `n8n` binary.
 */
export async function installN8n(log: (line: string) => void): Promise<string> {
  log(`installing or reusing n8n ${N8N_VERSION} (scripts/n8n/install-n8n.sh)`);
  const { stdout } = await run('bash', [INSTALL_SCRIPT], {
    env: { ...process.env, N8N_VERSION },
    timeout: 20 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const bin = stdout.trim().split('\n').pop() ?? '';
  if (!fs.existsSync(bin)) throw new Error(`n8n install did not produce a binary: ${stdout}`);
  return bin;
}

/** Settings every n8n command of the test shares: its own user folder, nothing phoning home. */
export function n8nEnv(userFolder: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? userFolder,
    N8N_USER_FOLDER: userFolder,
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_HIRING_BANNER_ENABLED: 'false',
    GENERIC_TIMEZONE: 'UTC',
    N8N_LOG_LEVEL: 'info',
    ...extra,
  };
}

/** One n8n CLI command (import, publish); fails with its output when it fails. */
export async function n8nCommand(bin: string, userFolder: string, args: string[]): Promise<string> {
  const { stdout, stderr } = await run(bin, args, { env: n8nEnv(userFolder), timeout: 5 * 60_000, maxBuffer: 16 * 1024 * 1024 });
  const out = `${stdout}\n${stderr}`;
  if (/error/i.test(out) && !/Successfully|Publishing workflow/i.test(out)) throw new Error(`n8n ${args.join(' ')} failed:\n${out}`);
  return out;
}

export interface RunningN8n {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `n8n start` and resolves once it says its workflows are active and it listens. */
export async function startN8n(bin: string, userFolder: string, env: Record<string, string>, timeoutMs = 180_000): Promise<RunningN8n> {
  const child = spawn(bin, ['start'], { env: n8nEnv(userFolder, env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  while (!/Editor is now accessible/.test(out)) {
    if (child.exitCode !== null) throw new Error(`n8n exited early (${child.exitCode}):\n${out}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`n8n did not start within ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { child, output: () => out, stop };
}
