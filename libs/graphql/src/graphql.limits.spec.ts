import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import {
  OperationCostCache,
  documentLimitsRule,
  knownOperationTypesRule,
  operationCost,
} from './graphql.limits';

const schema = buildSchema(`
  type Query {
    product(id: ID!): Product
    products(first: Int = 10): ProductConnection!
  }
  type ProductConnection { edges: [ProductEdge!]! totalCount: Int! }
  type ProductEdge { node: Product! }
  type Product { id: ID! name: String! lines: [Line!]! related(first: Int = 4): [Product!] }
  type Line { product: Product }
`);

const codes = (query: string, limits = { maxDepth: 4, maxAliases: 2 }) =>
  validate(schema, parse(query), [...specifiedRules, documentLimitsRule(limits)]).map(
    (e) => e.extensions.code,
  );

describe('knownOperationTypesRule', () => {
  const messages = (query: string) =>
    validate(schema, parse(query), [...specifiedRules, knownOperationTypesRule]).map(
      (e) => e.message,
    );

  it('refuses operation types the schema has no root for, accepts queries', () => {
    expect(messages('mutation { product(id: 1) { id } }')).toEqual([
      'This API has no mutation operations',
    ]);
    expect(messages('subscription S { product(id: 1) { id } }')).toEqual([
      'This API has no subscription operations',
    ]);
    expect(messages('query Q { product(id: 1) { id } }')).toEqual([]);
  });
});

describe('documentLimitsRule', () => {
  it('accepts a document within the depth and alias limits', () => {
    expect(codes('{ a: product(id: 1) { id } b: product(id: 2) { id } }')).toEqual([]);
  });

  it('counts depth through fragments and inline fragments', () => {
    const query = `{ product(id: 1) { ...R } }
      fragment R on Product { related { ... on Product { related { related { id } } } } }`;
    expect(codes(query)).toEqual(['QUERY_TOO_DEEP']);
    // Leaves count: product > related > related > id is 4 levels.
    expect(codes('{ product(id: 1) { related { related { id } } } }')).toEqual([]);
  });

  it('reports one error past the alias limit', () => {
    const query = '{ a: product(id: 1) { x: id } b: product(id: 2) { y: id } }';
    expect(codes(query)).toEqual(['TOO_MANY_ALIASES']);
  });
});

describe('operationCost', () => {
  const cost = (query: string, variables?: Record<string, unknown>) =>
    operationCost(schema, parse(query), undefined, variables);

  it('costs 1 per object field; scalars are free', () => {
    expect(cost('{ product(id: 1) { id name } }')).toBe(1);
  });

  it('multiplies by first (argument, variable or default); connection edges are not counted twice', () => {
    expect(cost('{ products(first: 3) { edges { node { id } } } }')).toBe(1 + 3 * (1 + 1));
    expect(
      cost('query ($n: Int) { products(first: $n) { edges { node { id } } } }', { n: 5 }),
    ).toBe(1 + 5 * 2);
    expect(cost('{ products { totalCount } }')).toBe(1);
    expect(cost('{ product(id: 1) { related { id } } }')).toBe(1 + 1 * (1 + 4 * 0));
  });

  it('assumes 5 items for a list without first, and follows fragments', () => {
    expect(cost('{ product(id: 1) { lines { product { id } } } }')).toBe(1 + (1 + 5 * 1));
    expect(
      cost('{ product(id: 1) { ...F } } fragment F on Product { lines { product { id } } }'),
    ).toBe(7);
  });
});

describe('OperationCostCache', () => {
  it('costs a document once when no variable decides its cost, per operation', () => {
    const cache = new OperationCostCache();
    const document = parse(`
      query One($id: ID!) { product(id: $id) { related { id } } }
      query Two { products(first: 3) { edges { node { id } } } }`);
    expect(cache.cost(schema, document, 'One', { id: 1 })).toBe(2);
    expect(cache.cost(schema, document, 'Two', {})).toBe(7);
    // The schema is not read again: a remembered cost, even against another schema.
    const other = buildSchema('type Query { x: Int }');
    expect(cache.cost(other, document, 'One', { id: 2 })).toBe(2);
    expect(cache.cost(other, document, 'Two', {})).toBe(7);
  });

  it('costs again when `first` is a variable', () => {
    const cache = new OperationCostCache();
    const document = parse('query ($n: Int) { products(first: $n) { edges { node { id } } } }');
    expect(cache.cost(schema, document, undefined, { n: 2 })).toBe(1 + 2 * 2);
    expect(cache.cost(schema, document, undefined, { n: 40 })).toBe(1 + 40 * 2);
  });
});
