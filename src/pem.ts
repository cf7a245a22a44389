/** Whether `text` holds PEM (a `-----BEGIN ...-----` line), as opposed to a file path. */
export function isPem(text: string): boolean {
  return /-----BEGIN [A-Z0-9 ]+-----/.test(text);
}

/** Whether PEM text holds a certificate: a CA file with only a key in it is a mistake worth naming at once. */
export function hasPemCertificate(text: string): boolean {
  return text.includes('-----BEGIN CERTIFICATE-----');
}
