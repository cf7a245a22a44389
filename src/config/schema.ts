import * as z from 'zod/mini';
import { CONNECTION_KEYS, invalid, isGroup, type Group, type Key, type RdsIamConfigInput } from './keys.js';

// The config document's zod schema, built from the key table. Internal: public types never name zod.

const CONNECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** A settable key of one connection, e.g. `['ssl', 'mode']`, with its declaration. */
export interface Leaf {
  readonly path: readonly string[];
  /** Dotted, e.g. `ssl.mode`: how origins, `rdsiam check` and messages name it. */
  readonly name: string;
  readonly key: Key;
  /** Env values for it are read as whole numbers. */
  readonly numeric: boolean;
}

function walk(keys: Record<string, Key | Group>, prefix: readonly string[], out: Leaf[]): Leaf[] {
  for (const [name, entry] of Object.entries(keys)) {
    const path = [...prefix, name];
    if (isGroup(entry)) walk(entry.keys, path, out);
    else out.push({ path, name: path.join('.'), key: entry, numeric: entry.schema instanceof z.ZodMiniNumber });
  }
  return out;
}

/** Every key of one connection, in table order. */
export const LEAVES: readonly Leaf[] = walk(CONNECTION_KEYS, [], []);

/** `schema`, with its description registered for the JSON Schema. */
function described<T extends z.ZodMiniType>(schema: T, description: string): T {
  (schema as z.ZodMiniType).register(z.globalRegistry, { description });
  return schema;
}

function shape(keys: Record<string, Key | Group>): Record<string, z.ZodMiniType> {
  return Object.fromEntries(
    Object.entries(keys).map(([name, entry]) => {
      if (isGroup(entry)) {
        const object = z.strictObject(shape(entry.keys), { error: invalid(`an object with ${Object.keys(entry.keys).join(', ')}`) });
        return [name, described(z.optional(object), entry.doc)];
      }
      return [
        name,
        z.optional(entry.schema as unknown as z.ZodMiniType).register(z.globalRegistry, {
          description: entry.doc,
          ...(entry.default === undefined ? {} : { default: entry.default }),
          ...(entry.example === undefined ? {} : { examples: [entry.example] }),
        }),
      ];
    }),
  );
}

const connectionShape = shape(CONNECTION_KEYS);

/** The whole config document, as written in `.rdsiamrc` and friends, in env or in code. */
export const configSchema = described(
  z.strictObject(
    {
      $schema: described(z.optional(z.string({ error: invalid('a JSON Schema URL or path') })), 'The JSON Schema of this file, for editors.'),
      ...connectionShape,
      connections: described(
        z.optional(
          z.record(
            z.string().check(z.regex(CONNECTION_NAME)),
            described(
              z.strictObject(connectionShape, { error: invalid('an object of rdsiam connection keys') }),
              'A named connection: any top-level key, overriding the top level for this connection.',
            ),
            {
              error: (issue) =>
                issue.code === 'invalid_key'
                  ? 'is not a valid connection name: use letters, digits, _ and -, starting with a letter or digit'
                  : invalid('an object mapping connection names to connection settings')(issue),
            },
          ),
        ),
        'Named connections (e.g. reader), each merged over the top-level keys. The top level is `default`.',
      ),
    },
    { error: invalid('an object of rdsiam config keys') },
  ),
  'rdsiam: AWS IAM database authentication for Amazon RDS, Aurora and Aurora DSQL.',
) as unknown as z.ZodMiniType<RdsIamConfigInput>;

/** The keys an object at `path` of the config document may have, or undefined if there is no object there. */
export function keysAt(path: readonly (string | number)[]): string[] | undefined {
  let keys: Record<string, Key | Group> = CONNECTION_KEYS;
  let rest = path.map(String);
  if (rest.length === 0) return ['$schema', ...Object.keys(keys), 'connections'];
  if (rest[0] === 'connections') {
    if (rest.length < 2) return undefined;
    rest = rest.slice(2);
  }
  for (const segment of rest) {
    const entry = keys[segment];
    if (entry === undefined || !isGroup(entry)) return undefined;
    keys = entry.keys;
  }
  return Object.keys(keys);
}
