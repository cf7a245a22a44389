// The zod/mini functions the config schemas are built with, and nothing else. A module of its own so that the
// builds make it a file of its own (dist/zod.js, dist/zod.cjs), loaded by `loadZod` only when a config fails the
// keys' plain tests (Key.accepts): a valid config, and so a process's first token, never parses zod.
export {
  array,
  enum,
  gte,
  int,
  lte,
  minLength,
  optional,
  record,
  regex,
  strictObject,
  string,
  union,
} from 'zod/mini';
