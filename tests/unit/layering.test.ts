import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

/**
 * Which layer may import which (besides itself). A layer is `routes`, a folder of src/, or a module
 * at the top of src/ (app, server, errors, clock). docs/architecture.md draws this table.
 */
const ALLOWED_IMPORTS = {
  server: ['app', 'composition', 'config', 'http', 'logging', 'store', 'errors'],
  app: ['routes', 'composition', 'http'],
  routes: ['pipeline', 'approvals', 'closed-loop-service', 'execution', 'history', 'replay', 'rules-history', 'strategies', 'rules', 'targets', 'notifications', 'incidents', 'sessions', 'sources', 'silences', 'health', 'metrics', 'openapi', 'http', 'schemas', 'config', 'logging', 'domain', 'errors'],
  composition: ['health', 'metrics', 'lifecycle', 'pipeline', 'approvals', 'closed-loop-service', 'execution', 'history', 'replay', 'rules-history', 'strategies', 'targets', 'notifications', 'incidents', 'sessions', 'sources', 'silences', 'integrations', 'engine', 'rules', 'cluster', 'store', 'http', 'schemas', 'config', 'logging', 'domain', 'clock', 'errors'],
  health: ['rules', 'store'],
  metrics: ['rules', 'store', 'logging', 'domain', 'clock'],
  openapi: ['http', 'schemas', 'domain'],
  cli: ['routes', 'http', 'replay', 'closed-loop', 'rules', 'engine', 'strategies', 'sources', 'silences', 'config', 'schemas', 'domain', 'errors'],
  'rules-history': ['rules', 'store', 'logging', 'domain', 'clock', 'errors'],
  replay: ['closed-loop', 'engine', 'rules', 'schemas', 'store', 'silences', 'domain', 'clock', 'errors'],
  lifecycle: ['pipeline', 'approvals', 'closed-loop-service', 'execution', 'closed-loop', 'rules', 'incidents', 'cluster', 'store', 'domain', 'errors'],
  pipeline: ['approvals', 'closed-loop-service', 'execution', 'closed-loop', 'engine', 'strategies', 'rules', 'notifications', 'incidents', 'store', 'silences', 'config', 'logging', 'domain', 'clock', 'errors'],
  approvals: ['execution', 'closed-loop', 'engine', 'rules', 'store', 'domain', 'errors'],
  'closed-loop-service': ['execution', 'closed-loop', 'engine', 'strategies', 'rules', 'store', 'domain', 'clock', 'errors'],
  history: ['store', 'domain', 'clock', 'errors'],
  execution: ['strategies', 'store', 'config', 'logging', 'domain', 'clock', 'errors'],
  strategies: ['targets', 'integrations', 'config', 'logging', 'domain', 'clock', 'errors'],
  targets: ['integrations', 'store', 'config', 'logging', 'domain', 'clock', 'errors'],
  notifications: ['store', 'config', 'logging', 'domain', 'clock', 'errors'],
  incidents: ['store', 'config', 'logging', 'domain', 'clock', 'errors'],
  sessions: ['store', 'config', 'logging', 'domain', 'clock', 'errors'],
  cluster: ['store', 'config', 'logging', 'domain', 'clock', 'errors'],
  sources: ['schemas', 'config', 'logging', 'domain', 'clock', 'errors'],
  rules: ['engine', 'schemas', 'config', 'logging', 'domain', 'clock', 'errors'],
  'closed-loop': ['engine', 'silences', 'domain'],
  http: ['schemas', 'config', 'logging', 'domain', 'clock', 'errors'],
  engine: ['domain', 'silences', 'errors'],
  integrations: ['config', 'domain', 'errors'],
  store: ['config', 'domain', 'silences', 'clock', 'errors'],
  schemas: ['config', 'domain', 'silences', 'errors'],
  logging: ['config'],
  config: ['domain', 'errors'],
  silences: ['domain', 'errors'],
  domain: [],
  clock: [],
  errors: ['domain'],
} as const satisfies Record<string, readonly string[]>;
type Layer = keyof typeof ALLOWED_IMPORTS;

/** The layers from top to bottom, as docs/architecture.md draws them: every allowed import points down. */
const BANDS: readonly (readonly Layer[])[] = [
  ['server', 'cli'],
  ['app'],
  ['routes'],
  ['composition'],
  ['health', 'lifecycle', 'metrics', 'replay', 'rules-history'],
  ['pipeline'],
  ['approvals', 'closed-loop-service', 'history'],
  ['execution'],
  ['openapi', 'strategies'],
  ['http', 'rules', 'targets', 'notifications', 'incidents', 'sessions', 'cluster', 'sources', 'closed-loop'],
  ['schemas', 'engine', 'integrations', 'store'],
  ['logging', 'silences'],
  ['config'],
  ['errors'],
  ['domain', 'clock'],
];

/** Outside packages that only their owning layers may use: nothing below routes knows express, nothing outside store/ the database. */
const PACKAGE_OWNERS: Record<string, readonly string[]> = {
  express: ['app', 'routes', 'http'],
  helmet: ['http'],
  mongoose: ['store'],
  mongodb: ['store'],
  'better-sqlite3': ['store'],
  pm2: ['integrations'],
  'json-rules-engine': ['engine'],
  'prom-client': ['metrics'],
};

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The layer a file belongs to: `routes`, the folder under src/, or a top-level module of src/ by its name. */
function layerOf(file: string): string {
  const rel = path.relative(ROOT, file).split(path.sep);
  if (rel[0] === 'routes') return 'routes';
  if (rel[0] === 'src' && rel.length === 2) return rel[1]!.replace(/\.ts$/, '');
  if (rel[0] === 'src') return rel[1]!;
  throw new Error(`not a source file: ${file}`);
}

/** Every module specifier a file names: import/export ... from, side-effect imports, require() and import(). */
function specifiers(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /(?:^|\n)\s*(?:import|export)\s[^'";]*?\sfrom\s*['"]([^'"]+)['"]/g,
    /(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const m of text.matchAll(pattern)) found.push(m[1]!);
  return found;
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

const files = [...sourceFiles(path.join(ROOT, 'src')), ...sourceFiles(path.join(ROOT, 'routes'))];

describe('layering', () => {
  it('finds the source files and their imports', () => {
    expect(files.length).toBeGreaterThan(50);
    const app = fs.readFileSync(path.join(ROOT, 'src', 'app.ts'), 'utf8');
    expect(specifiers(app)).toEqual(expect.arrayContaining(['express', '../routes/actions', './http/security']));
  });

  it('puts every file in a layer of the table', () => {
    const unknown = [...new Set(files.map(layerOf))].filter((layer) => !(layer in ALLOWED_IMPORTS));
    expect(unknown).toEqual([]);
  });

  it('imports only from the layers the table allows', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = layerOf(file) as Layer;
      const allowed = new Set<string>([from, ...ALLOWED_IMPORTS[from]]);
      for (const spec of specifiers(fs.readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const to = layerOf(path.resolve(path.dirname(file), `${spec}.ts`));
        if (!allowed.has(to)) violations.push(`${path.relative(ROOT, file)} (${from}) imports ${spec} (${to})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('keeps express, the database drivers and PM2 inside the layers that own them', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      for (const spec of specifiers(fs.readFileSync(file, 'utf8'))) {
        const owners = PACKAGE_OWNERS[packageName(spec)];
        if (owners && !owners.includes(from)) violations.push(`${path.relative(ROOT, file)} (${from}) uses ${spec}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('allows only imports that point down the drawn bands, so no two layers can reach each other', () => {
    const band = new Map(BANDS.flatMap((layers, i) => layers.map((layer) => [layer, i] as const)));
    expect([...band.keys()].sort()).toEqual(Object.keys(ALLOWED_IMPORTS).sort());
    const upward: string[] = [];
    for (const [from, targets] of Object.entries(ALLOWED_IMPORTS)) {
      for (const to of targets) if (band.get(to)! <= band.get(from as Layer)!) upward.push(`${from} -> ${to}`);
    }
    expect(upward).toEqual([]);
  });
});
