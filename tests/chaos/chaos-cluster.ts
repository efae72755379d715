import path from 'node:path';
import { Pm2Daemon } from '../helpers/pm2-daemon';
import { type ServiceProcess, startServiceProcess } from '../helpers/service-process';

const STEADY_APP = path.resolve(__dirname, '../fixtures/pm2-apps/steady-app.js');

/** The PM2 process the service_restart rules act on: its restart count is the side effect we count. */
export const TARGET_APP = 'chaos-app';

/** A real PM2 daemon of its own running one steady app, whose restarts are counted. */
export class ChaosPm2 extends Pm2Daemon {
  async start(): Promise<void> {
    await this.cli('start', STEADY_APP, '--name', TARGET_APP);
  }

  async restarts(): Promise<number> {
    return (await this.list()).find((r) => r.name === TARGET_APP)?.pm2_env.restart_time ?? -1;
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
