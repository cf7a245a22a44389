/** The directory holding `node` of this major, installed on first use. */
export function nodeBinDir(major: string): string;
