import fs from 'node:fs';
import { type FaultPoints, noFaults } from '../domain/fault-points';

/**
 * Fault injection for the kill -9 suite, from the environment only (never from a config file, so a
 * deployment cannot turn it on by accident): FAULT_POINTS="point:probability,..." and FAULT_LOG, a
 * file that gets one line per point reached ("reached <point>") and the point that killed the process
 * ("kill <point>") — written synchronously, before the SIGKILL, so the suite can count them.
 */
export function faultPointsFromEnv(env: NodeJS.ProcessEnv, random: () => number = Math.random): FaultPoints {
  const spec = env.FAULT_POINTS?.trim();
  if (!spec) return noFaults;
  const odds = new Map<string, number>();
  for (const part of spec.split(',')) {
    const [name, p] = part.split(':');
    if (name && p !== undefined && Number.isFinite(Number(p))) odds.set(name.trim(), Number(p));
  }
  const log = env.FAULT_LOG;
  const note = (line: string) => {
    if (log) fs.appendFileSync(log, `${line}\n`);
  };
  return {
    reach(point) {
      const p = odds.get(point) ?? odds.get('*');
      if (p === undefined) return;
      if (random() < p) {
        note(`kill ${point} ${process.pid}`);
        process.kill(process.pid, 'SIGKILL');
      } else {
        note(`reached ${point} ${process.pid}`);
      }
    },
  };
}
