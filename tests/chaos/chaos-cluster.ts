import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type ServiceProcess, startServiceProcess } from '../helpers/service-process';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const PM2_BIN = path.join(ROOT, 'node_modules/pm2/bin/pm2');
const STEADY_APP = path.join(ROOT, 'tests/fixtures/pm2-apps/steady-app.js');

/** The PM2 process the service_restart rules act on: its restart count is the side effect we count. */
export const TARGET_APP = 'chaos-app';

/**
 * A real PM2 daemon in its own PM2_HOME (short path: PM2's unix sockets are limited to ~100 bytes),
 * running one steady app. Only this daemon is ever killed, by its own `pm2 kill`.
 */
export class Pm2Daemon {
  readonly home = fs.mkdtempSync(path.join(os.tmpdir(), 'pm2c-'));

  async cli(...args: string[]): Promise<string> {
    const { stdout } = await run(process.execPath, [PM2_BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: this.home, PM2_HOME: this.home, PM2_DISCRETE_MODE: 'true' },
      timeout: 30_000,
    });
    return stdout;
  }

  async start(): Promise<void> {
    await this.cli('start', STEADY_APP, '--name', TARGET_APP);
  }

  async restarts(): Promise<number> {
    const rows = JSON.parse(await this.cli('jlist')) as { name: string; pm2_env: { restart_time: number } }[];
    return rows.find((r) => r.name === TARGET_APP)?.pm2_env.restart_time ?? -1;
  }

  async stop(): Promise<void> {
    await this.cli('kill').catch(() => undefined);
    fs.rmSync(this.home, { recursive: true, force: true });
  }
}

/** One slot of the cluster: the instance in it dies and is started again with new fault points. */
export interface Slot {
  name: string;
  proc: ServiceProcess | null;
  killedBy: string | null;
}

/**
 * Starts an instance and waits until it is ready — or dead: an armed kill point may be reached
 * during start-up (recovering what the last victim left), which is one more kill, not a failure.
 */
export async function startInstance(env: Record<string, string>): Promise<ServiceProcess> {
  const proc = await startServiceProcess(env, false);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.child.signalCode !== null) return proc;
    if (proc.child.exitCode !== null) throw new Error(`instance exited (${proc.child.exitCode}): ${proc.output()}`);
    try {
      const res = await fetch(`${proc.url}/api/ready`);
      await res.arrayBuffer();
      if (res.status === 200) return proc;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await proc.stop('SIGKILL');
      throw new Error(`instance not ready in time: ${proc.output()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function isDead(slot: Slot): boolean {
  return !slot.proc || slot.proc.child.exitCode !== null || slot.proc.child.signalCode !== null;
}
