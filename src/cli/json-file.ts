import fs from 'node:fs';
import { parseDocumentText } from '../rules/rules-document';
import { CliError, EXIT } from './exit-codes';

/** Reads a file as UTF-8 text; a missing or unreadable file is a usage error naming the file. */
export function readTextFile(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, EXIT.usage);
  }
}

/** Reads and parses a JSON file; a missing file or bad JSON is a usage error naming the file. */
export function readJsonFile(file: string, what: string): unknown {
  const text = readTextFile(file, what);
  const parsed = parseDocumentText(text);
  if (!parsed.ok) throw new CliError(`${what} ${file} is not JSON: ${parsed.problem.message}`, EXIT.usage);
  return parsed.doc;
}
