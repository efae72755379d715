import fs from 'node:fs';
import path from 'node:path';

/** The folder holding package.json; the same from src/ under ts-jest and from dist/src/ when built. */
export function findProjectRoot(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
}
