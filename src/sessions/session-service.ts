import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock';
import type { Logger } from '../logging/logger';
import type { SessionStore } from '../store/session-store';

/** Who a session speaks for: an API key's name and role (never the key). */
export interface SessionPrincipal {
  name: string;
  role: string;
}

/** The part of the keyring a session needs: check a key at sign-in, and whether its name still holds that role. */
export interface SessionKeyring {
  verify(presented: string): SessionPrincipal | null;
  roleOf(name: string): string | null;
}

export interface SessionServiceDeps {
  store: { console: SessionStore };
  keyring: SessionKeyring;
  clock: Clock;
  logger: Logger;
  ttlMinutes: number;
}

export interface OpenedSession {
  /** The cookie's value; only its SHA-256 is stored. */
  token: string;
  principal: SessionPrincipal;
  expiresAt: Date;
}

export interface ResolvedSession {
  principal: SessionPrincipal;
  expiresAt: Date;
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const SWEEP_INTERVAL_MS = 60_000;

function idOf(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Browser sign-in: an API key is traded for a random session token carrying that key's name and
 * role. Sessions live in the store so every instance honours and ends them alike. A session whose
 * key was removed, or whose key's role changed since sign-in, no longer counts.
 */
export class SessionService {
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: SessionServiceDeps) {}

  /** Null when the key is not a configured one. */
  async open(apiKey: string): Promise<OpenedSession | null> {
    const principal = this.deps.keyring.verify(apiKey);
    if (!principal) return null;
    const token = randomBytes(32).toString('base64url');
    const now = this.deps.clock.now();
    const expiresAt = new Date(now.getTime() + this.deps.ttlMinutes * 60_000);
    await this.deps.store.console.insertSession({ id: idOf(token), keyName: principal.name, role: principal.role, createdAt: now, expiresAt });
    this.deps.logger.info('console session opened', { key: principal.name, role: principal.role, expiresAt: expiresAt.toISOString() });
    return { token, principal, expiresAt };
  }

  async resolve(token: string): Promise<ResolvedSession | null> {
    if (!TOKEN.test(token)) return null;
    const session = await this.deps.store.console.getSession(idOf(token));
    if (!session) return null;
    if (session.expiresAt.getTime() <= this.deps.clock.now().getTime()) return null;
    const role = this.deps.keyring.roleOf(session.keyName);
    if (role === null || role !== session.role) return null;
    return { principal: { name: session.keyName, role }, expiresAt: session.expiresAt };
  }

  /** Ends the session on every instance; false when there was none. */
  async end(token: string): Promise<boolean> {
    if (!TOKEN.test(token)) return false;
    return this.deps.store.console.deleteSession(idOf(token));
  }

  start(): void {
    this.sweepTimer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
  }

  stop(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
  }

  async sweep(): Promise<void> {
    try {
      await this.deps.store.console.pruneSessions(this.deps.clock.now());
    } catch (err) {
      this.deps.logger.warn('session sweep failed', { error: err instanceof Error ? err.message : String(err) });
    }
  }
}
