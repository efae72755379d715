/**
 * Puts the methods of one aggregate on `store`, each bound to the part that implements it: an
 * adapter's Store is its aggregates side by side. `methods` is typed `Record<keyof Aggregate, true>`
 * beside the aggregate's interface, so a method missing from it (or one too many) does not compile.
 */
export function expose<A extends object>(store: object, part: NoInfer<A>, methods: Record<keyof A, true>): void {
  for (const name of Object.keys(methods) as (keyof A & string)[]) {
    if (Object.prototype.hasOwnProperty.call(store, name)) throw new Error(`store method "${name}" is exposed twice`);
    const member = part[name];
    if (typeof member !== 'function') throw new Error(`store part has no method "${name}"`);
    Object.defineProperty(store, name, { value: member.bind(part), writable: true, configurable: true, enumerable: false });
  }
}
