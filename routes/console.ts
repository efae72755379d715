import path from 'node:path';
import express, { Router } from 'express';
import { findProjectRoot } from '../src/config/project-root';

/**
 * The browser console's files (console/ at the project root): plain ES modules and CSS, no build
 * step, nothing from elsewhere. They are public (the sign-in page must load without a key); every
 * bit of data they show comes through the API under the caller's own role.
 */
const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function createConsoleRouter(dir = path.join(findProjectRoot(), 'console')): Router {
  const router = Router();
  router.use('/console', (_req, res, next) => {
    res.setHeader('Content-Security-Policy', CONSOLE_CSP);
    res.setHeader('Cache-Control', 'no-cache');
    next();
  });
  router.use('/console', express.static(dir, { index: 'index.html', redirect: true, fallthrough: true, dotfiles: 'ignore' }));
  return router;
}
