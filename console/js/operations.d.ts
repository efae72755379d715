/**
 * Types of the module the service generates at /console/js/operations.js
 * (routes/console-operations.ts) from its route declarations: there is no operations.js file to drift.
 */
type Routes = typeof import('../../routes/route-catalog').ROUTES;
type QueryNames<R> = import('../../src/http/route-declaration').QueryNames<R & import('../../src/http/route-declaration').RouteSpec>;

/** The name the console calls an operation by (its operationId). */
export type OperationName = keyof Routes;

export interface Operation<N extends OperationName = OperationName> {
  method: Routes[N]['method'];
  /** Express form: each `:name` segment is a path parameter (fill it with encodeURIComponent). */
  path: Routes[N]['path'];
  /** The role the operation needs: `public`, `webhook`, or viewer < operator < approver < admin. */
  access: Routes[N]['access'];
  /** Every query parameter the operation takes; the service refuses any other with 400. */
  query: readonly QueryNames<Routes[N]>[];
}

export const OPERATIONS: { readonly [N in OperationName]: Operation<N> };
