import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Express } from 'express';
import winston from 'winston';
import { createApp } from '../../src/app';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config/load-config';
import { deepMerge } from '../../src/config/merge';
import type { AppConfig } from '../../src/config/schema';
import { createLogging } from '../../src/logging/logger';
import { createServices, type Services } from '../../src/composition/create-services';
import { createStore } from '../../src/store/create-store';
import type { Store } from '../../src/store/store';
import { RecordingNotifier } from './recording-notifier';
import { testStoreConfig } from './test-store';

export const DEFAULT_RULES_FILE = path.join(__dirname, '..', '..', 'config', 'self-healing-rules.json');

export interface TestAppOptions {
  /** A rules document to write, or omitted for a copy of the shipped default file. */
  rules?: unknown;
  /** Configuration values merged over the defaults (after the test's own paths). */
  config?: unknown;
  /** Reuse a data directory (to test restarts); a new temp dir otherwise. */
  dir?: string;
  clock?: ManualClock;
  /** Keep log lines in memory instead of printing them. */
  logLines?: string[];
}

export interface TestApp {
  app: Express;
  services: Services;
  /** The store the services were built over (tests watch it, e.g. to count a poller's reads). */
  store: Store;
  config: AppConfig;
  clock: ManualClock;
  notifier: RecordingNotifier;
  dir: string;
  rulesFile: string;
  logLines: string[];
  /** Stops the services (store closed); the directory stays for a restart. */
  stop(): Promise<void>;
}

export function makeTempDir(prefix = 'shre-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * A real app on a real SQLite file in a temp dir (or MongoDB with TEST_STORE=mongo, see test-store.ts),
 * with a manual clock and a recording notifier.
 */
export async function buildTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dir = options.dir ?? makeTempDir();
  const rulesFile = path.join(dir, 'rules.json');
  if (!options.dir || !fs.existsSync(rulesFile) || options.rules !== undefined) {
    if (options.rules === undefined) fs.copyFileSync(DEFAULT_RULES_FILE, rulesFile);
    else fs.writeFileSync(rulesFile, `${JSON.stringify(options.rules, null, 2)}\n`);
  }
  const config = loadConfig({
    env: {},
    cwd: dir,
    overrides: deepMerge(
      {
        store: testStoreConfig(dir),
        rules: { file: rulesFile, watch: false, watchDebounceMs: 20 },
        log: { level: 'debug', format: 'json' },
      },
      options.config ?? {},
    ),
  });
  const logLines = options.logLines ?? [];
  const sink = new winston.transports.Stream({
    stream: new Writable({
      write(chunk: Buffer, _enc: string, done: () => void) {
        logLines.push(chunk.toString('utf8').trim());
        done();
      },
    }),
  });
  const logging = createLogging(config, {}, [sink]);
  const clock = options.clock ?? new ManualClock('2026-03-01T10:00:00Z');
  const notifier = new RecordingNotifier();
  const store = createStore(config);
  const services = createServices(store, config, logging, { clock, notifier });
  await services.start();
  const app = createApp(services);
  return {
    app,
    services,
    store,
    config,
    clock,
    notifier,
    dir,
    rulesFile,
    logLines,
    stop: () => services.stop(),
  };
}
