import { parseDocumentText } from '../rules/rules-document';
import { CliError, EXIT } from './exit-codes';
import { readTextFile } from './json-file';

/**
 * Snapshots to replay, in any form ingest takes them: a batch body (`{ "snapshots": [...] }`), a
 * bare array, one snapshot, or NDJSON (one snapshot per line). Each snapshot is checked by the
 * service; here only the form is.
 */
export function readSnapshotsFile(file: string): unknown[] {
  const text = readTextFile(file, 'snapshots file');
  const whole = parseDocumentText(text);
  if (whole.ok) {
    const doc = whole.doc;
    if (Array.isArray(doc)) return doc;
    if (doc !== null && typeof doc === 'object') {
      const batch = (doc as { snapshots?: unknown }).snapshots;
      if (Array.isArray(batch)) return batch;
      return [doc];
    }
    throw new CliError(`snapshots file ${file} holds neither snapshots nor a batch ({ "snapshots": [...] })`, EXIT.usage);
  }
  const lines = text.split('\n');
  const snapshots: unknown[] = [];
  const problems: string[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const parsed = parseDocumentText(line);
    if (parsed.ok) snapshots.push(parsed.doc);
    else problems.push(`  line ${index + 1}: ${parsed.problem.message}`);
  });
  // One line that is not JSON means the file is neither one JSON document nor NDJSON.
  if (problems.length > 0 || snapshots.length === 0) {
    throw new CliError(`snapshots file ${file} is neither JSON nor NDJSON (one snapshot per line)`, EXIT.usage, problems.length > 0 ? problems : [`  ${whole.problem.message}`]);
  }
  return snapshots;
}
