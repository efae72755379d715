import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PM2_BIN = path.resolve(__dirname, '../../node_modules/pm2/bin/pm2');

export interface Pm2Row {
  name: string;
  pid: number;
  pm2_env: { status: string; restart_time: number; pm_id: number };
}

/**
 * A real PM2 daemon in its own PM2_HOME (a short path: PM2's unix sockets are limited to ~100
 * bytes). Only this daemon is ever stopped, by its own `pm2 kill`.
 */
export class Pm2Daemon {
  readonly home = fs.mkdtempSync(path.join(os.tmpdir(), 'pm2t-'));

  async cli(...args: string[]): Promise<string> {
    const { stdout } = await run(process.execPath, [PM2_BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: this.home, PM2_HOME: this.home, PM2_DISCRETE_MODE: 'true' },
      timeout: 120_000,
    });
    return stdout;
  }

  async list(): Promise<Pm2Row[]> {
    return JSON.parse(await this.cli('jlist')) as Pm2Row[];
  }

  async stop(): Promise<void> {
    await this.cli('kill').catch(() => undefined);
    fs.rmSync(this.home, { recursive: true, force: true });
  }
}
