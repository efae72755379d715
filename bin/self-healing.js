#!/usr/bin/env node
'use strict';
// The `self-healing` command. The CLI is TypeScript compiled to dist/ (npm run build, also run by
// npm start and npm test); a fresh clone after `npm ci` has no dist/ yet, so the first run builds
// it, and a run after the sources changed builds it again.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const entry = path.join(root, 'dist', 'src', 'cli', 'main.js');
const lock = path.join(root, 'dist', '.cli-build.lock');

function newestSource(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function isFresh() {
  if (!fs.existsSync(entry)) return false;
  const src = path.join(root, 'src');
  // An installed copy without sources runs what it has.
  if (!fs.existsSync(src)) return true;
  // The client calls operations from the route declarations in routes/: they are sources of the CLI too.
  const sources = [src, path.join(root, 'routes')].filter((dir) => fs.existsSync(dir));
  return fs.statSync(entry).mtimeMs >= Math.max(...sources.map(newestSource));
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function build() {
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  // One build at a time: others wait for it rather than read half-written files.
  for (let waited = 0; ; waited += 200) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (waited > 180000) fs.rmSync(lock, { recursive: true, force: true });
      sleep(200);
      if (isFresh()) return;
    }
  }
  try {
    if (isFresh()) return;
    process.stderr.write('self-healing: building the CLI (npm run build)...\n');
    let tsc;
    try {
      tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
    } catch {
      process.stderr.write('self-healing: dist/ is missing or stale and TypeScript is not installed: run `npm ci` and `npm run build`\n');
      process.exit(70);
    }
    const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: ['ignore', 2, 2] });
    if (result.status !== 0 || !fs.existsSync(entry)) {
      process.stderr.write('self-healing: the build failed (see above)\n');
      process.exit(70);
    }
    // tsc leaves an unchanged output file alone: mark the build as newer than every source.
    const now = new Date();
    fs.utimesSync(entry, now, now);
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

if (!isFresh()) build();
require(entry)
  .run(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
