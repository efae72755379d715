import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors';

/** What the Host check needs of the configuration. */
export interface HostCheckConfig {
  /** The bind address (server.host). */
  host: string;
  /** server.allowedHosts: further names the service answers to (a proxy's public name). */
  allowedHosts: readonly string[];
  /** console.allowedOrigins and notifications.publicUrl: their hosts are this service's too. */
  urls: readonly string[];
}

const WILDCARD_BINDS = new Set(['0.0.0.0', '::', '[::]']);
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** The host name of a Host header (`name`, `name:port`, `[v6]`, `[v6]:port`), lower case, or null when malformed. */
export function hostnameOf(header: string): string | null {
  const value = header.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end < 0) return null;
    const rest = value.slice(end + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return null;
    return value.slice(0, end + 1);
  }
  const colon = value.lastIndexOf(':');
  const name = colon < 0 ? value : value.slice(0, colon);
  if (colon >= 0 && !/^\d{1,5}$/.test(value.slice(colon + 1))) return null;
  if (!/^[a-z0-9._-]+$/.test(name)) return null;
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name === '[::1]' || (IPV4.test(name) && name.startsWith('127.'));
}

function asHostname(address: string): string {
  const lower = address.trim().toLowerCase();
  return lower.includes(':') && !lower.startsWith('[') ? `[${lower}]` : lower;
}

/**
 * Whether a Host header names this service. A page of another site that re-points its own DNS name
 * at 127.0.0.1 (DNS rebinding) reaches the service with its own name in Host: only loopback names,
 * the bind address, `server.allowedHosts` and the hosts of the configured public URLs are answered.
 * Bound to every address (0.0.0.0, ::), any IP literal is the service's own address, and no page
 * can rebind an IP literal, so those pass too.
 */
export function createHostCheck(config: HostCheckConfig): (header: string | undefined) => boolean {
  const names = new Set<string>(config.allowedHosts.map(asHostname));
  const bind = asHostname(config.host);
  const wildcard = WILDCARD_BINDS.has(bind);
  if (!wildcard) names.add(bind);
  for (const url of config.urls) {
    try {
      if (url !== '') names.add(new URL(url).hostname.toLowerCase());
    } catch {
      // The config schema checks the URLs' shape; one that still does not parse names no host.
    }
  }
  return (header) => {
    // HTTP/1.0 without Host: not a browser (browsers always send one), so not a rebinding page.
    if (header === undefined) return true;
    const name = hostnameOf(header);
    if (name === null) return false;
    if (isLoopbackName(name) || names.has(name)) return true;
    return wildcard && (IPV4.test(name) || name.startsWith('['));
  };
}

/** Refuses, in every mode, a request whose Host is not this service's (421, before anything else). */
export function hostCheck(config: HostCheckConfig) {
  const allowed = createHostCheck(config);
  return (req: Request, _res: Response, next: NextFunction): void => {
    const header = req.headers.host;
    if (allowed(header)) return next();
    next(
      new AppError(
        421,
        'misdirected_request',
        `the Host ${JSON.stringify(header)} is not one this service answers to (a loopback name, server.host, or one of server.allowedHosts)`,
        [],
        { host: header ?? null },
      ),
    );
  };
}
