// A child's result: one JSON line on stdout, the last it prints.
export function report(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
