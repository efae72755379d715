/**
 * The TypeScript type of the JSON a schema (declared `as const`) accepts, for the keywords our
 * schemas use: type (also as a list, for nullable), const, enum, properties/required,
 * additionalProperties, items, anyOf/oneOf. A route's declared reply schema gives its handler's
 * `res.json` argument this type (src/http/route-declaration.ts), so a handler cannot reply a shape
 * its schema refuses without the compiler saying so.
 *
 * Two deliberate widenings: a `date-time` string also takes a `Date` (res.json sends its ISO form),
 * and a `$ref` is `unknown` here (the referenced shape is checked against real replies by the
 * contract tests, tests/helpers/openapi-contract.ts).
 */
export type FromSchema<S> = S extends { readonly const: infer C }
  ? C
  : S extends { readonly enum: readonly (infer E)[] }
    ? E
    : S extends { readonly $ref: string }
      ? unknown
      : S extends { readonly type: readonly (infer T)[] }
        ? T extends unknown
          ? OfType<T, S>
          : never
        : S extends { readonly type: infer T }
          ? OfType<T, S>
          : S extends { readonly anyOf: readonly (infer A)[] }
            ? FromSchema<A>
            : S extends { readonly oneOf: readonly (infer A)[] }
              ? FromSchema<A>
              : unknown;

type OfType<T, S> = T extends 'string'
  ? S extends { readonly format: 'date-time' }
    ? string | Date
    : string
  : T extends 'integer' | 'number'
    ? number
    : T extends 'boolean'
      ? boolean
      : T extends 'null'
        ? null
        : T extends 'array'
          ? S extends { readonly items: infer I }
            ? readonly FromSchema<I>[]
            : readonly unknown[]
          : T extends 'object'
            ? ObjectOf<S>
            : unknown;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type RequiredKeys<S> = S extends { readonly required: readonly (infer R)[] } ? R : never;

type PropertiesOf<S> = S extends { readonly properties: infer P }
  ? Simplify<
      { -readonly [K in keyof P as K extends RequiredKeys<S> ? K : never]: FromSchema<P[K]> } & {
        -readonly [K in keyof P as K extends RequiredKeys<S> ? never : K]?: FromSchema<P[K]>;
      }
    >
  : {};

type ObjectOf<S> = S extends { readonly additionalProperties: false }
  ? PropertiesOf<S>
  : S extends { readonly additionalProperties: infer A extends object }
    ? S extends { readonly properties: object }
      ? PropertiesOf<S>
      : Record<string, FromSchema<A>>
    : S extends { readonly properties: object }
      ? PropertiesOf<S>
      : Record<string, unknown>;
