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

/**
 * Libraries the console loads, served from the service's own node_modules (pinned in package.json):
 * no CDN, no copy to keep in step. Only these files, by name. uPlot draws on a canvas and styles its
 * elements through the CSSOM (element.style), which `style-src 'self'` allows; its stylesheet is a file.
 */
const VENDOR_FILES: Record<string, string> = {
  'uplot/uPlot.esm.js': 'uplot/dist/uPlot.esm.js',
  'uplot/uPlot.min.css': 'uplot/dist/uPlot.min.css',
};

export function createConsoleRouter(dir = path.join(findProjectRoot(), 'console'), modules = path.join(findProjectRoot(), 'node_modules')): Router {
  const router = Router();
  router.use('/console', (_req, res, next) => {
    res.setHeader('Content-Security-Policy', CONSOLE_CSP);
    res.setHeader('Cache-Control', 'no-cache');
    next();
  });
  // Static files like the rest of the console (a middleware, not an API route): GET and HEAD only.
  router.use('/console/vendor', (req, res, next) => {
    const file = VENDOR_FILES[req.path.slice(1)];
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    res.sendFile(path.join(modules, file), (err) => (err ? next(err) : undefined));
  });
  router.use('/console', express.static(dir, { index: 'index.html', redirect: true, fallthrough: true, dotfiles: 'ignore' }));
  return router;
}
