import type { PluginCode } from '../aws-facts.js';
import { describeValue } from './messages.js';

// What a config key is: the types the key table (keys.ts) is made of, and what reads them. Free of zod, so that the
// public types derived from the table never name it; the builders that use zod are in key-builders.ts.

export interface ResolveContext {
  /** Where a relative path in the value is resolved from: its config file's directory, else the working directory. */
  readonly baseDir: string;
}

export type Resolution<T> = { ok: true; value: T } | { ok: false; problem: string };

/** A zod schema, typed structurally (Standard Schema) so that the public types do not name zod. */
interface Validator<In> {
  readonly '~standard': { readonly types?: { readonly input: In } | undefined };
}

/** A variable another tool sets that gives a key when no layer does. */
export interface EnvFallback {
  readonly variable: string;
  /** When it is set at all, the environment counts as holding an rdsiam config. */
  readonly configures: boolean;
  /** Taken only when this holds, so a stray value breaks nothing that never uses the key. */
  readonly accepts?: (value: string) => boolean;
}

/** One config key, as written (`In`) and as resolved (`Out`). `Required`: always present once resolved. */
export interface Key<In = unknown, Out = unknown, Required extends boolean = boolean> {
  /**
   * Its zod schema, built on first use from the zod functions given (opaque here: key-builders.ts types them): a
   * config validates only the keys it sets, and importing builds none.
   */
  schema(z: object): Validator<In>;
  /** True only for values the schema accepts: a config whose every value passes is valid without its zod schema. */
  accepts(value: unknown): boolean;
  /** Env values for the key are read as whole numbers. */
  readonly numeric: boolean;
  readonly doc: string;
  /** The value when no layer sets the key. */
  readonly default?: Out;
  /** What applies when the key is unset and has no default value, in words (docs only). */
  readonly fallback?: string;
  readonly example?: In;
  /** Shown as `(set)` by `rdsiam check`, never as its value. */
  readonly secret?: boolean;
  // Methods, not function properties: a Key<string, ParsedDsn> must stand where any Key is expected.
  /** How `rdsiam check` prints the resolved value; default `String(value)`. */
  show?(value: Out): string;
  /** Turns the validated value into the resolved one, or says why it cannot. */
  resolve?(value: In, context: ResolveContext): Resolution<Out>;
  readonly required?: Required;
  /** Variables other tools set that give this top-level key when no layer does, in the order they are tried. */
  readonly env?: readonly EnvFallback[];
  /** Defaults that hold only with one plugin, in place of `default` (e.g. DSQL's `pool.max_lifetime_s`). */
  readonly pluginDefault?: Partial<Record<PluginCode, Out>>;
}

/** Keys nested under one object key (`ssl`, `pool`). */
export interface Group<K extends Record<string, Key> = Record<string, Key>> {
  readonly doc: string;
  readonly keys: K;
}

export function isGroup(entry: Key | Group): entry is Group {
  return 'keys' in entry;
}

/** A zod error function whose message says what is expected and what was got (made safe to print). */
export function invalid(expected: string) {
  return (issue: { input?: unknown }) => `must be ${expected}, got ${describeValue(issue.input)}`;
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type IsRequired<E> = E extends Group ? true : E extends Key<unknown, unknown, infer R> ? R : false;
type Resolved<E> = E extends Group<infer K> ? ResolvedKeys<K> : E extends Key<unknown, infer O> ? O : never;
type Written<E> = E extends Group<infer K> ? WrittenKeys<K> : E extends Key<infer I> ? I : never;

/** Keys as resolved: present when required or defaulted, optional otherwise. */
export type ResolvedKeys<T> = Simplify<
  { -readonly [P in keyof T as IsRequired<T[P]> extends true ? P : never]: Resolved<T[P]> } & {
    -readonly [P in keyof T as IsRequired<T[P]> extends true ? never : P]?: Resolved<T[P]>;
  }
>;

/** Keys as a user writes them: every one optional. */
export type WrittenKeys<T> = Simplify<{ -readonly [P in keyof T]?: Written<T[P]> }>;
