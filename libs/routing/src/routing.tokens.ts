/** Injection token of the BFF's compiled route table (`readonly CompiledRoute[]`). */
export const ROUTE_TABLE = Symbol('RouteTable');
