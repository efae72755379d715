import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { ConfigError } from '../errors';
import { ENV_BINDINGS, readEnvValue } from './env';
import { deepMerge, setPath } from './merge';
import { findProjectRoot } from './project-root';
import { type AppConfig, configSchema } from './schema';
import { clusterConfigProblem } from './sections/cluster';
import { sourcesConfigProblem } from './sections/sources';

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Relative paths in the configuration are resolved against this folder. */
  cwd?: string;
  /** Extra values merged last; tests use it instead of environment variables. */
  overrides?: unknown;
}

function readJsonFile(file: string, label: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(label, `cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(label, `${file} is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * Defaults from config/default.json, then CONFIG_FILE, then environment variables, then
 * `overrides`; the result is validated whole and a bad value stops the start with one line.
 * Hand-written rather than a config library: the rules are four lines, and the libraries keep a
 * process-wide singleton that would stop tests from building apps with their own configuration.
 */
export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const root = findProjectRoot();
  let merged = readJsonFile(path.join(root, 'config', 'default.json'), 'config/default.json');

  if (env.CONFIG_FILE) {
    merged = deepMerge(merged, readJsonFile(path.resolve(cwd, env.CONFIG_FILE), 'CONFIG_FILE'));
  }

  const sources = new Map<string, string>();
  const fromEnv: Record<string, unknown> = {};
  for (const [name, binding] of Object.entries(ENV_BINDINGS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    setPath(fromEnv, binding.key, readEnvValue(raw, binding.kind));
    sources.set(binding.key, `${name}=${raw}`);
  }
  merged = deepMerge(merged, fromEnv);
  if (options.overrides !== undefined) merged = deepMerge(merged, options.overrides);

  const ajv = new Ajv({ allErrors: false, strict: true });
  const validate = ajv.compile(configSchema);
  if (!validate(merged)) {
    const error = validate.errors![0]!;
    const pointer = error.instancePath;
    let key = pointer.slice(1).replace(/\//g, '.') || '(root)';
    if (error.keyword === 'additionalProperties') {
      key = `${key === '(root)' ? '' : `${key}.`}${String(error.params.additionalProperty)}`;
      throw new ConfigError(key, 'unknown key');
    }
    const origin = sources.get(key);
    throw new ConfigError(origin ? `${key} (from ${origin})` : key, error.message ?? 'invalid');
  }
  const config = merged as AppConfig;
  config.store.sqlite.path =
    config.store.sqlite.path === ':memory:' ? ':memory:' : path.resolve(cwd, config.store.sqlite.path);
  config.rules.file = path.resolve(cwd, config.rules.file);
  // The one check of the URI's presence: createStore relies on it.
  if (config.store.type === 'mongo' && config.store.mongo.uri.trim() === '') {
    throw new ConfigError('store.mongo.uri', 'required when store.type is "mongo" (set MONGODB_URI)');
  }
  const clusterProblem = clusterConfigProblem(config.cluster);
  if (clusterProblem) {
    const origin = sources.get(clusterProblem.key);
    throw new ConfigError(origin ? `${clusterProblem.key} (from ${origin})` : clusterProblem.key, clusterProblem.message);
  }
  const sourcesProblem = sourcesConfigProblem(config.sources, cwd);
  if (sourcesProblem) throw new ConfigError(sourcesProblem.key, sourcesProblem.message);
  return config;
}
