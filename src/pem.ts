/** Whether `text` holds PEM (a `-----BEGIN ...-----` line), as opposed to a file path. */
export function isPem(text: string): boolean {
  return /-----BEGIN [A-Z0-9 ]+-----/.test(text);
}
