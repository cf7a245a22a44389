import * as z from 'zod';
import { configSchema, connectionSchema } from './schema.js';

/** A settable scalar key of one connection, e.g. `['ssl', 'mode']`. */
export interface Leaf {
  path: readonly string[];
  /** Env values for it are parsed as whole numbers. */
  numeric: boolean;
}

function unwrap(schema: unknown): unknown {
  let node = schema;
  while (node instanceof z.ZodOptional) node = node.unwrap();
  return node;
}

/** The keys an object at `path` of the config document may have, or undefined if there is no object there. */
export function keysAt(path: readonly (string | number)[]): string[] | undefined {
  let node = unwrap(configSchema);
  for (const segment of path) {
    if (node instanceof z.ZodObject) node = unwrap((node.shape as Record<string, unknown>)[String(segment)]);
    else if (node instanceof z.ZodRecord) node = unwrap(node.valueType);
    else return undefined;
  }
  return node instanceof z.ZodObject ? Object.keys(node.shape) : undefined;
}

/** Every scalar key of one connection, walked from the schema so env names never drift from it. */
export function connectionLeaves(): Leaf[] {
  const leaves: Leaf[] = [];
  const walk = (object: z.ZodObject, prefix: readonly string[]) => {
    for (const [key, child] of Object.entries(object.shape as Record<string, unknown>)) {
      const node = unwrap(child);
      if (node instanceof z.ZodObject) walk(node, [...prefix, key]);
      else leaves.push({ path: [...prefix, key], numeric: node instanceof z.ZodNumber });
    }
  };
  walk(connectionSchema, []);
  return leaves;
}
