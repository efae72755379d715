import { createHash, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AuthConfig } from '../config/sections/auth';
import { ConfigError } from '../errors';
import { isRole, ROLES, type Role } from './access-policy';

/** Who made a request: a configured key's name and role (never the key itself). */
export interface Principal {
  name: string;
  role: Role;
}

interface StoredKey extends Principal {
  hash: Buffer;
}

/** No colon, so a key's name can never be mistaken for `ingest:<source>` or `webhook:n8n`. */
export const KEY_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

export function sha256(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/**
 * The configured keys, held only as SHA-256 digests. A presented key is hashed and compared with
 * every digest in constant time, so neither its content nor which key it resembles leaks by timing.
 */
export class ApiKeyring {
  constructor(private readonly keys: readonly StoredKey[]) {}

  get size(): number {
    return this.keys.length;
  }

  names(): string[] {
    return this.keys.map((k) => k.name);
  }

  /** The role of the key with this name, or null when no key has it (a session outliving its key). */
  roleOf(name: string): Role | null {
    return this.keys.find((k) => k.name === name)?.role ?? null;
  }

  verify(presented: string): Principal | null {
    const digest = sha256(presented);
    let found: StoredKey | null = null;
    for (const key of this.keys) {
      // No early exit: every request costs the same whichever key (if any) it matches.
      if (timingSafeEqual(digest, key.hash) && found === null) found = key;
    }
    return found ? { name: found.name, role: found.role } : null;
  }
}

function roleProblem(role: unknown): string {
  return `role ${JSON.stringify(role)} is not one of ${ROLES.join(', ')}`;
}

/** `name:role:key,...`; the key is everything after the second colon. Blank entries are skipped. */
function parseInline(text: string): StoredKey[] {
  const keys: StoredKey[] = [];
  const entries = text.split(',');
  for (const [i, raw] of entries.entries()) {
    const entry = raw.trim();
    if (entry === '') continue;
    const where = `auth.apiKeys (API_KEYS) entry ${i + 1}`;
    const first = entry.indexOf(':');
    const second = first < 0 ? -1 : entry.indexOf(':', first + 1);
    if (second < 0) throw new ConfigError(where, 'must be "name:role:key"');
    const name = entry.slice(0, first).trim();
    const role = entry.slice(first + 1, second).trim();
    const secret = entry.slice(second + 1).trim();
    if (!KEY_NAME.test(name)) throw new ConfigError(where, `name ${JSON.stringify(name)} must be 1-64 letters, digits, dots, underscores or dashes`);
    if (!isRole(role)) throw new ConfigError(`${where} ("${name}")`, roleProblem(role));
    if (secret === '') throw new ConfigError(`${where} ("${name}")`, 'the key is empty');
    keys.push({ name, role, hash: sha256(secret) });
  }
  return keys;
}

function parseFile(file: string): StoredKey[] {
  const where = `auth.apiKeysFile (${file})`;
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    const reason = err instanceof SyntaxError ? `is not valid JSON: ${err.message}` : `cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    throw new ConfigError(where, reason);
  }
  if (!Array.isArray(doc)) throw new ConfigError(where, 'must be a JSON array of { name, role, sha256 }');
  return doc.map((entry: unknown, i): StoredKey => {
    const at = `${where} entry ${i + 1}`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new ConfigError(at, 'must be an object { name, role, sha256 }');
    const { name, role, sha256: hex, ...rest } = entry as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) throw new ConfigError(at, `unknown member ${JSON.stringify(unknown[0])} (allowed: name, role, sha256)`);
    if (typeof name !== 'string' || !KEY_NAME.test(name)) throw new ConfigError(at, 'name must be 1-64 letters, digits, dots, underscores or dashes');
    if (!isRole(role)) throw new ConfigError(`${at} ("${name}")`, roleProblem(role));
    if (typeof hex !== 'string' || !SHA256_HEX.test(hex)) throw new ConfigError(`${at} ("${name}")`, 'sha256 must be 64 hex characters (the SHA-256 of the key)');
    // The SHA-256 of the empty string: an empty key would let an empty Bearer token in.
    if (hex.toLowerCase() === sha256('').toString('hex')) throw new ConfigError(`${at} ("${name}")`, 'the key is empty');
    return { name, role, hash: Buffer.from(hex, 'hex') };
  });
}

/**
 * Reads API_KEYS and API_KEYS_FILE together. A bad definition stops the start with one line naming
 * it (and never the secret): a typo in a role must not quietly lock people out or let them in.
 */
export function loadApiKeys(auth: AuthConfig, cwd = process.cwd()): ApiKeyring {
  const keys = [...parseInline(auth.apiKeys)];
  if (auth.apiKeysFile.trim() !== '') keys.push(...parseFile(path.resolve(cwd, auth.apiKeysFile)));
  const names = new Set<string>();
  const hashes = new Map<string, string>();
  for (const key of keys) {
    if (names.has(key.name)) throw new ConfigError('auth.apiKeys', `duplicate key name "${key.name}"`);
    names.add(key.name);
    const hex = key.hash.toString('hex');
    const other = hashes.get(hex);
    if (other) throw new ConfigError('auth.apiKeys', `keys "${other}" and "${key.name}" are the same secret; every key must be distinct`);
    hashes.set(hex, key.name);
  }
  return new ApiKeyring(keys);
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|::1|::ffff:127(?:\.\d{1,3}){3})$/i;

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host.trim().replace(/^\[(.*)\]$/, '$1'));
}

/**
 * The loopback rule: without keys the service is open, which is only acceptable when nothing but
 * this machine can reach it. Returns a warning to log, or throws to refuse the start.
 */
export function checkOpenAccess(host: string, keyring: ApiKeyring): string | null {
  if (keyring.size > 0) return null;
  if (!isLoopbackHost(host)) {
    throw new ConfigError(
      'server.host',
      `"${host}" is not a loopback address and no API keys are configured: set API_KEYS or API_KEYS_FILE, or bind to 127.0.0.1`,
    );
  }
  return `no API keys are configured: every route is OPEN to anyone who can reach ${host} (loopback only); set API_KEYS or API_KEYS_FILE before binding elsewhere`;
}
