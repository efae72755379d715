import { componentName } from './component-name';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type SchemaObject = { [key: string]: Json };

export interface StandaloneComponents {
  /** components.schemas: no `$id`, no `$defs`, every `$ref` a pointer into the document itself. */
  schemas: Record<string, SchemaObject>;
  /** The document-local `$ref` for a schema $id, optionally with a `#/pointer` into it. */
  refFor(id: string): string;
}

const DOC_PREFIX = '#/components/schemas/';

function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function isObject(value: Json | undefined): value is SchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Turns registered JSON Schemas (each with its absolute `$id`, referring to each other and to their
 * own `$defs`) into components of one self-contained OpenAPI document. Tools that read an OpenAPI
 * document (fuzzers, generators) resolve `$ref` against the document, not against a schema's `$id`,
 * so every `$defs` entry becomes a component of its own (`RulesFile` + `ruleName` → `RulesFileRuleName`)
 * and every reference is rewritten to `#/components/schemas/...`. The server's own ajv keeps the
 * original schemas; only the published copy changes. A reference that cannot be placed throws, so a
 * schema that would break the document fails the build (and its test) rather than a client.
 */
const SCHEMA_KEYWORDS = new Set(['type', 'properties', '$ref', 'oneOf', 'anyOf', 'allOf', 'not', 'enum', 'const', 'items', 'if', 'required', 'additionalProperties', 'description', 'title', 'pattern', 'format', '$defs']);

/** An object whose members are all schemas and which uses no schema keyword: a named group of schemas. */
function isSchemaGroup(node: SchemaObject): boolean {
  const entries = Object.entries(node);
  return entries.length > 0 && entries.every(([key, value]) => !SCHEMA_KEYWORDS.has(key) && isObject(value));
}

export function standaloneComponents(schemas: readonly unknown[]): StandaloneComponents {
  /** Per schema $id: pointer inside it → component that holds that location. */
  const locations = new Map<string, Map<string, string>>();
  const out: Record<string, SchemaObject> = {};
  const hoisted: Array<{ base: string; name: string; schema: SchemaObject }> = [];

  const claim = (name: string, what: string): void => {
    if (out[name]) throw new Error(`two schemas would both be named ${name} in the OpenAPI document (${what})`);
    out[name] = {};
  };

  for (const raw of schemas) {
    if (!isObject(raw as Json)) continue;
    const schema = raw as SchemaObject;
    const id = schema.$id;
    if (typeof id !== 'string') continue;
    const base = id.replace(/#.*$/, '');
    const name = componentName(base);
    claim(name, base);
    const places = new Map<string, string>([['', name]]);
    locations.set(base, places);
    // Each $defs entry, at any depth, becomes its own component named after where it sits.
    const collect = (node: SchemaObject, pointer: string, owner: string): void => {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$defs' && isObject(value)) {
          for (const [defName, def] of Object.entries(value)) {
            if (!isObject(def)) continue;
            const defPointer = `${pointer}/$defs/${escapePointer(defName)}`;
            const defComponent = `${owner}${pascal(defName)}`;
            if (isSchemaGroup(def)) {
              // A $defs entry that only groups schemas (params per action type) is not a schema
              // itself: each member becomes a component (RulesFileParamsThrottle), the group none.
              for (const [member, memberSchema] of Object.entries(def)) {
                const memberPointer = `${defPointer}/${escapePointer(member)}`;
                const memberComponent = `${defComponent}${pascal(member)}`;
                claim(memberComponent, `${base}#${memberPointer}`);
                places.set(memberPointer, memberComponent);
                hoisted.push({ base, name: memberComponent, schema: memberSchema as SchemaObject });
                collect(memberSchema as SchemaObject, memberPointer, memberComponent);
              }
              continue;
            }
            claim(defComponent, `${base}#${defPointer}`);
            places.set(defPointer, defComponent);
            hoisted.push({ base, name: defComponent, schema: def });
            collect(def, defPointer, defComponent);
          }
        } else if (isObject(value)) {
          if (key !== 'properties' && typeof value.$id === 'string') throw new Error(`${base}#${pointer}/${key}: nested $id is not supported in the OpenAPI document`);
          collect(value, `${pointer}/${escapePointer(key)}`, owner);
        } else if (Array.isArray(value)) {
          value.forEach((item, i) => {
            if (isObject(item)) collect(item, `${pointer}/${escapePointer(key)}/${i}`, owner);
          });
        }
      }
    };
    collect(schema, '', name);
    hoisted.push({ base, name, schema });
  }

  const refFor = (target: string): string => {
    const hash = target.indexOf('#');
    const base = hash < 0 ? target : target.slice(0, hash);
    const pointer = hash < 0 ? '' : target.slice(hash + 1);
    const places = locations.get(base);
    if (!places) throw new Error(`$ref ${target}: no schema with $id ${base} goes into the document`);
    if (pointer !== '' && !pointer.startsWith('/')) throw new Error(`$ref ${target}: only JSON pointer fragments can be placed in the document`);
    // The deepest hoisted location that contains the target; the rest of the pointer stays as it is.
    let best = '';
    for (const place of places.keys()) {
      if ((pointer === place || pointer.startsWith(`${place}/`)) && place.length > best.length) best = place;
    }
    return `${DOC_PREFIX}${places.get(best)!}${pointer.slice(best.length)}`;
  };

  /** A copy without $id, $schema and $defs, with each $ref placed in the document. */
  const rewrite = (node: Json, base: string, root: boolean): Json => {
    if (Array.isArray(node)) return node.map((item) => rewrite(item, base, false));
    if (!isObject(node)) return node;
    const copy: SchemaObject = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$defs' || key === '$schema' || key === '$id') continue;
      if (key === '$ref' && typeof value === 'string') copy.$ref = refFor(new URL(value, base).href);
      else if (key === 'properties' && isObject(value)) {
        // Property names are data, not keywords: a property may well be called "$id".
        copy.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v, base, false)]));
      } else copy[key] = rewrite(value, base, false);
    }
    if (root && typeof node.$id === 'string') copy['x-schema-id'] = node.$id;
    return copy;
  };

  for (const { base, name, schema } of hoisted) {
    out[name] = rewrite(schema, base, name === componentName(base)) as SchemaObject;
  }
  return { schemas: out, refFor: (id) => refFor(id) };
}
