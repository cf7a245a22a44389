import type * as z from 'zod/mini';
import { isPlainObject } from '../plain-object.js';
import { invalid, isGroup, type Group, type Key } from './key.js';
import type { Zod } from './key-builders.js';
import { CONNECTION_KEYS, type RdsIamConfigInput } from './keys.js';

// The config document's zod schema, built from the key table. Internal: public types never name zod.

/** zod's functions (src/config/zod.ts), a file of their own in the builds: loaded for a config that needs them. */
export function loadZod(): Promise<Zod> {
  return import('./zod.js');
}

const CONNECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** A settable key of one connection, e.g. `['ssl', 'mode']`, with its declaration. */
export interface Leaf {
  readonly path: readonly string[];
  /** Dotted, e.g. `ssl.mode`: how origins, `rdsiam check` and messages name it. */
  readonly name: string;
  readonly key: Key;
}

/** Env values for `leaf` are read as whole numbers. */
export function isNumeric(leaf: Leaf): boolean {
  return leaf.key.numeric;
}

function walk(keys: Record<string, Key | Group>, prefix: readonly string[], out: Leaf[]): Leaf[] {
  for (const [name, entry] of Object.entries(keys)) {
    const path = [...prefix, name];
    if (isGroup(entry)) walk(entry.keys, path, out);
    else out.push({ path, name: path.join('.'), key: entry });
  }
  return out;
}

/** Every key of one connection, in table order. */
export const LEAVES: readonly Leaf[] = walk(CONNECTION_KEYS, [], []);

/** Where the JSON Schema generator records each key's description, default and example; the runtime records none. */
type Docs = z.core.$ZodRegistry<z.core.GlobalMeta> | undefined;

/** `schema`, with its description recorded in `docs`. */
function described<T extends z.ZodMiniType>(docs: Docs, schema: T, meta: z.core.GlobalMeta): T {
  docs?.add(schema, meta);
  return schema;
}

/** Which keys a document schema holds, by dotted name: all of them (the JSON Schema), or those a document sets. */
type Wanted = (name: string) => boolean;

function shape(
  z: Zod,
  keys: Record<string, Key | Group>,
  docs: Docs,
  wanted: Wanted,
  prefix = '',
): Record<string, z.ZodMiniType> {
  const fields: Record<string, z.ZodMiniType> = {};
  for (const [name, entry] of Object.entries(keys)) {
    if (!wanted(prefix + name)) continue;
    if (isGroup(entry)) {
      const object = z.strictObject(shape(z, entry.keys, docs, wanted, `${prefix}${name}.`), {
        error: invalid(`an object with ${Object.keys(entry.keys).join(', ')}`),
      });
      fields[name] = described(docs, z.optional(object), { description: entry.doc });
    } else {
      fields[name] = described(docs, z.optional(entry.schema(z) as unknown as z.ZodMiniType), {
        description: entry.doc,
        ...(entry.default === undefined ? {} : { default: entry.default }),
        ...(entry.example === undefined ? {} : { examples: [entry.example] }),
      });
    }
  }
  return fields;
}

/**
 * The config document's schema, as written in `.rdsiamrc` and friends, in env or in code. `wanted` leaves keys out:
 * a key left out that a document sets is reported as unknown, so leave out only keys the document does not set.
 */
export function documentSchema(z: Zod, docs?: Docs, wanted: Wanted = () => true): z.ZodMiniType<RdsIamConfigInput> {
  const connectionShape = shape(z, CONNECTION_KEYS, docs, wanted);
  const document = z.strictObject(
    {
      ...(wanted('$schema') && {
        $schema: described(docs, z.optional(z.string({ error: invalid('a JSON Schema URL or path') })), {
          description: 'The JSON Schema of this file, for editors.',
        }),
      }),
      ...connectionShape,
      ...(wanted('connections') && {
        connections: described(docs, z.optional(connectionsSchema(z, docs, connectionShape)), {
          description:
            'Named connections (e.g. reader), each merged over the top-level keys. The top level is `default`.',
        }),
      }),
    },
    { error: invalid('an object of rdsiam config keys') },
  );
  described(docs, document, {
    description: 'rdsiam: AWS IAM database authentication for Amazon RDS, Aurora and Aurora DSQL.',
  });
  return document as unknown as z.ZodMiniType<RdsIamConfigInput>;
}

function connectionsSchema(z: Zod, docs: Docs, connectionShape: Record<string, z.ZodMiniType>) {
  const connection = z.strictObject(connectionShape, { error: invalid('an object of rdsiam connection keys') });
  described(docs, connection, {
    description: 'A named connection: any top-level key, overriding the top level for this connection.',
  });
  return z.record(z.string().check(z.regex(CONNECTION_NAME)), connection, {
    error: (issue) =>
      issue.code === 'invalid_key'
        ? 'is not a valid connection name: use letters, digits, _ and -, starting with a letter or digit'
        : invalid('an object mapping connection names to connection settings')(issue),
  });
}

/** The dotted names of the keys `doc` sets, at its top level and in each of its connections. */
function namesSetIn(doc: Record<string, unknown>): Set<string> {
  const names = new Set<string>();
  const add = (object: Record<string, unknown>) => {
    for (const [name, value] of Object.entries(object)) {
      names.add(name);
      if (isPlainObject(value)) for (const inner of Object.keys(value)) names.add(`${name}.${inner}`);
    }
  };
  add(doc);
  if (isPlainObject(doc.connections)) {
    for (const connection of Object.values(doc.connections)) if (isPlainObject(connection)) add(connection);
  }
  return names;
}

// By the names a document sets: documents that set the same keys share one schema.
const validators = new Map<string, z.ZodMiniType<RdsIamConfigInput>>();

/**
 * The schema that validates `doc`: the document schema holding only the keys `doc` sets, so that a config builds
 * the zod schemas of the keys it uses (each once), not of every key.
 */
export function schemaFor(z: Zod, doc: Record<string, unknown>): z.ZodMiniType<RdsIamConfigInput> {
  const names = namesSetIn(doc);
  const id = [...names].sort().join(' ');
  let found = validators.get(id);
  if (found === undefined) validators.set(id, (found = documentSchema(z, undefined, (name) => names.has(name))));
  return found;
}

/** `value` is valid for `entry` (a key, or a group of keys), by the keys' plain tests; undefined: no such key. */
function passes(entry: Key | Group | undefined, value: unknown): boolean {
  if (entry === undefined) return false;
  if (!isGroup(entry)) return entry.accepts(value);
  return isPlainObject(value) && Object.entries(value).every(([name, inner]) => passes(own(entry.keys, name), inner));
}

function own<T>(record: Record<string, T>, name: string): T | undefined {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

function connectionPasses(connection: unknown): boolean {
  return (
    isPlainObject(connection) &&
    Object.entries(connection).every(([name, value]) => passes(own(CONNECTION_KEYS, name), value))
  );
}

/**
 * True when `doc` is valid by the plain tests the key table's builders derive (`Key.accepts`), without zod: the
 * document schema is then neither built nor run. False means "not known valid": the schema decides, and words why.
 */
function plainlyValid(doc: Record<string, unknown>): boolean {
  return Object.entries(doc).every(([name, value]) => {
    if (name === '$schema') return typeof value === 'string';
    if (name === 'connections') {
      return (
        isPlainObject(value) &&
        Object.entries(value).every(([id, connection]) => CONNECTION_NAME.test(id) && connectionPasses(connection))
      );
    }
    return passes(own(CONNECTION_KEYS, name), value);
  });
}

/**
 * Validates a config document: a valid one by the keys' plain tests as it is, anything else by the document schema
 * of the keys it sets (`schemaFor`), whose issues say what is wrong.
 */
export async function validateDocument(
  doc: Record<string, unknown>,
): Promise<z.core.util.SafeParseResult<RdsIamConfigInput>> {
  if (plainlyValid(doc)) return { success: true, data: doc as RdsIamConfigInput };
  return schemaFor(await loadZod(), doc).safeParse(doc);
}

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
