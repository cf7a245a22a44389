import type * as z from 'zod/mini';
import type { PluginCode } from '../aws-facts.js';
import { REGION, regionProblem } from '../region.js';
import { describeValue } from './messages.js';
import type * as ZodFunctions from './zod.js';
import { invalid, type EnvFallback, type Group, type Key, type ResolveContext, type Resolution } from './key.js';

// The builders the key table (keys.ts) declares its keys with. Internal: public types never name zod.

/** The zod functions a key's schema is built with (src/config/zod.ts), passed in: zod is loaded only when needed. */
export type Zod = typeof ZodFunctions;

/**
 * A key's rule, twice from the same arguments: its zod schema, built on first use (it words the problems and makes
 * the JSON Schema), and a plain test of a value. The test lets a valid config be loaded without building or running
 * any zod schema, which for a process's first token is most of what validating costs.
 */
export interface Check<S extends z.ZodMiniType> {
  schema(z: Zod): S;
  /** True only for values the schema accepts (and leaves as they are). */
  accepts(value: unknown): boolean;
  /** Env values for the key are read as whole numbers. */
  readonly numeric?: boolean;
}

/** A check from a schema builder and the test that says the same. */
export function check<S extends z.ZodMiniType>(
  schema: (z: Zod) => S,
  accepts: (value: unknown) => boolean,
  numeric = false,
): Check<S> {
  let built: S | undefined;
  return { schema: (z) => (built ??= schema(z)), accepts, ...(numeric && { numeric }) };
}

interface KeySpec<S extends z.ZodMiniType, Out, D, R extends boolean> {
  check: Check<S>;
  doc: string;
  default?: D;
  fallback?: string;
  example?: z.input<S>;
  secret?: boolean;
  show?: (value: Out) => string;
  resolve?: (value: z.input<S>, context: ResolveContext) => Resolution<Out>;
  required?: R;
  env?: readonly EnvFallback[];
  pluginDefault?: Partial<Record<PluginCode, Out>>;
}

type RequiredIf<D, R extends boolean> = D extends undefined ? R : true;

// Two forms: with `resolve`, the resolved type is what it returns; without, the schema's own output.
export function key<S extends z.ZodMiniType, Out, D extends Out | undefined = undefined, R extends boolean = false>(
  spec: KeySpec<S, Out, D, R> & { resolve(value: z.input<S>, context: ResolveContext): Resolution<Out> },
): Key<z.input<S>, Out, RequiredIf<D, R>>;
export function key<S extends z.ZodMiniType, D extends z.output<S> | undefined = undefined, R extends boolean = false>(
  spec: KeySpec<S, z.output<S>, D, R>,
): Key<z.input<S>, z.output<S>, RequiredIf<D, R>>;
export function key(spec: KeySpec<z.ZodMiniType, unknown, unknown, boolean>): Key {
  const { check: rule, ...rest } = spec;
  return { ...rest, schema: rule.schema, accepts: rule.accepts, numeric: rule.numeric === true } as unknown as Key;
}

export function group<K extends Record<string, Key>>(doc: string, keys: K): Group<K> {
  return { doc, keys };
}

export function text(expected: string, pattern?: RegExp) {
  return check(
    (z) => {
      const error = invalid(expected);
      const checks = pattern === undefined ? [] : [z.regex(pattern, { error })];
      return z.string({ error }).check(z.minLength(1, { error }), ...checks);
    },
    (value) => typeof value === 'string' && value !== '' && (pattern === undefined || pattern.test(value)),
  );
}

export function wholeNumber(min: number, max: number, expected: string) {
  return check(
    (z) => {
      const error = invalid(expected);
      return z.int({ error }).check(z.gte(min, { error }), z.lte(max, { error }));
    },
    (value) => Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max,
    true,
  );
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return check(
    (z) => z.enum(values, { error: invalid(`one of ${values.join(', ')}`) }),
    (value) => (values as readonly unknown[]).includes(value),
  );
}

/** A DNS host name, without scheme or port. */
export const HOST =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export function region() {
  return check(
    (z) => {
      const error = invalid('an AWS region name such as us-east-1');
      return z.string({ error }).check(
        z.minLength(1, { error }),
        z.regex(REGION, {
          error: (issue) => `${regionProblem(String(issue.input))}, got ${describeValue(issue.input)}`,
        }),
      );
    },
    (value) => typeof value === 'string' && value !== '' && REGION.test(value),
  );
}
