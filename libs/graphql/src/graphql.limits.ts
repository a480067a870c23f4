import {
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  getArgumentValues,
  getNamedType,
  getNullableType,
  getOperationAST,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
} from 'graphql';

/** Limits checked on every document before it runs. */
export interface DocumentLimits {
  readonly maxDepth: number;
  readonly maxAliases: number;
}

/** Deepest field nesting of a selection set, fragments followed (each at most once per path). */
function depthOf(
  set: SelectionSetNode | undefined,
  fragments: (name: string) => FragmentDefinitionNode | null | undefined,
  seen: ReadonlySet<string>,
): number {
  if (set === undefined) return 0;
  let deepest = 0;
  for (const selection of set.selections) {
    let depth = 0;
    if (selection.kind === 'Field') {
      depth =
        selection.selectionSet === undefined
          ? 1
          : 1 + depthOf(selection.selectionSet, fragments, seen);
    } else if (selection.kind === 'InlineFragment') {
      depth = depthOf(selection.selectionSet, fragments, seen);
    } else {
      const name = selection.name.value;
      const fragment = fragments(name);
      // A cycle is reported by GraphQL's own NoFragmentCycles rule.
      if (fragment !== null && fragment !== undefined && !seen.has(name)) {
        depth = depthOf(fragment.selectionSet, fragments, new Set([...seen, name]));
      }
    }
    if (depth > deepest) deepest = depth;
  }
  return deepest;
}

/**
 * Validation rule: operations nested deeper than `maxDepth` (QUERY_TOO_DEEP) and documents with
 * more than `maxAliases` aliased fields (TOO_MANY_ALIASES: aliases are how one request asks for
 * the same expensive field many times). Static, so mercurius caches its verdict per document.
 */
export function documentLimitsRule(limits: DocumentLimits): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    return {
      Field(node) {
        if (node.alias === undefined) return;
        aliases++;
        if (aliases === limits.maxAliases + 1) {
          context.reportError(
            new GraphQLError(`The document uses more than ${limits.maxAliases} aliases`, {
              nodes: [node],
              extensions: { code: 'TOO_MANY_ALIASES' },
            }),
          );
        }
      },
      OperationDefinition(node) {
        const depth = depthOf(node.selectionSet, (n) => context.getFragment(n), new Set());
        if (depth > limits.maxDepth) {
          context.reportError(
            new GraphQLError(
              `The operation is ${depth} levels deep; at most ${limits.maxDepth} are allowed`,
              { nodes: [node], extensions: { code: 'QUERY_TOO_DEEP' } },
            ),
          );
        }
      },
    };
  };
}

/**
 * Validation rule: an operation whose type the schema has no root for (a mutation, as this schema
 * is read-only) is invalid, so it is refused before execution over GET and POST alike. graphql-js
 * 16 only finds out while executing (a `data: null` answer); version 17 has this rule built in.
 */
export const knownOperationTypesRule: ValidationRule = (context) => ({
  OperationDefinition(node) {
    const root = context.getSchema().getRootType(node.operation);
    if (root === undefined || root === null) {
      context.reportError(
        new GraphQLError(`This API has no ${node.operation} operations`, { nodes: [node] }),
      );
    }
  },
});

/** Items a list field without a `first` argument is assumed to hold (an order's lines...). */
export const DEFAULT_LIST_SIZE = 5;

/**
 * Estimated cost of running an operation: each field of object type costs 1 (it is a resolver, often
 * a downstream call), times how many times it runs: a field with `first` runs its selection that
 * many times, a list without it {@link DEFAULT_LIST_SIZE} times, except the edges of a connection
 * (already counted by the connection's `first`). Scalars are free. Variables and argument defaults
 * are taken into account, so `first: $n` costs what `$n` says.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
): number {
  return estimate(schema, document, operationName, variables).cost;
}

/**
 * {@link operationCost} remembered per parsed document and operation when no variable changes it
 * (a `first: $n` does): mercurius hands the same document object to every request with the same
 * text, so a repeated operation is costed once. Entries go with their document (weakly held).
 */
export class OperationCostCache {
  private readonly known = new WeakMap<DocumentNode, Map<string, number>>();

  cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Record<string, unknown> | undefined,
  ): number {
    const key = operationName ?? '';
    const cached = this.known.get(document)?.get(key);
    if (cached !== undefined) return cached;
    const { cost, byVariables } = estimate(schema, document, operationName, variables);
    if (!byVariables) {
      let costs = this.known.get(document);
      if (costs === undefined) {
        costs = new Map();
        this.known.set(document, costs);
      }
      costs.set(key, cost);
    }
    return cost;
  }
}

/** The cost, and whether a variable decided any part of it. */
function estimate(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
): { cost: number; byVariables: boolean } {
  let byVariables = false;
  const operation = getOperationAST(document, operationName);
  if (operation === null || operation === undefined) return { cost: 0, byVariables };
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) {
    if (d.kind === 'FragmentDefinition') fragments.set(d.name.value, d);
  }
  const root = schema.getRootType(operation.operation);
  if (root === undefined || root === null) return { cost: 0, byVariables };

  const costOf = (
    set: SelectionSetNode,
    type: GraphQLNamedType,
    seen: ReadonlySet<string>,
  ): number => {
    if (!isObjectType(type) && !isInterfaceType(type)) return 0;
    const fields = type.getFields();
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === 'InlineFragment') {
        const on =
          selection.typeCondition === undefined
            ? type
            : (schema.getType(selection.typeCondition.name.value) ?? type);
        total += costOf(selection.selectionSet, on, seen);
        continue;
      }
      if (selection.kind === 'FragmentSpread') {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (fragment !== undefined && !seen.has(name)) {
          const on = schema.getType(fragment.typeCondition.name.value) ?? type;
          total += costOf(fragment.selectionSet, on, new Set([...seen, name]));
        }
        continue;
      }
      const field: GraphQLField<unknown, unknown> | undefined = fields[selection.name.value];
      if (field === undefined || selection.selectionSet === undefined) continue;
      const named = getNamedType(field.type);
      if (!isCompositeType(named)) continue;
      let times = 1;
      let first: unknown;
      // `first` is the only argument the cost reads.
      const firstArgument = selection.arguments?.find((a) => a.name.value === 'first');
      if (firstArgument?.value.kind === Kind.VARIABLE) byVariables = true;
      try {
        first = getArgumentValues(field, selection, variables).first;
      } catch {
        // Bad arguments are reported by execution itself.
      }
      if (typeof first === 'number' && first > 0) times = first;
      else if (isListType(getNullableType(field.type)) && !type.name.endsWith('Connection'))
        times = DEFAULT_LIST_SIZE;
      total += 1 + times * costOf(selection.selectionSet, named, seen);
    }
    return total;
  };
  return { cost: costOf(operation.selectionSet, root, new Set()), byVariables };
}
