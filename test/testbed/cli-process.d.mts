export function testbedCli(
  command: 'start' | 'stop' | 'status',
  options?: { quiet?: boolean },
): { code: number; stateFile: string | undefined };
