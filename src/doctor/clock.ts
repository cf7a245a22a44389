// Clock skew: a SigV4 token is refused when the local clock is more than 5 minutes off AWS's.
import type { ServerDate } from './aws.js';
import { finding, type Finding } from './findings.js';

const REFUSED_AFTER_MS = 5 * 60_000;
const WARN_AFTER_MS = 60_000;

/** Compares the local clock with the `Date` header of the first AWS answer; nothing when there was none. */
export function clockFindings(dates: readonly ServerDate[]): Finding[] {
  const first = dates[0];
  if (first === undefined) return [];
  // The Date header has whole seconds: a second of difference is no skew.
  const skewMs = first.serverMs - first.localMs;
  const seconds = Math.round(Math.abs(skewMs) / 1000);
  const way = skewMs > 0 ? 'behind' : 'ahead of';
  const said = `This machine's clock is ${seconds} s ${way} AWS's (the Date header of the ${first.service.toUpperCase()} answer)`;
  const fix =
    'Synchronise the clock (NTP: chrony, systemd-timesyncd, or the Amazon Time Sync Service at 169.254.169.123).';
  if (Math.abs(skewMs) > REFUSED_AFTER_MS) {
    return [finding('clock-skew', 'error', `${said}: past 5 minutes, every token it signs is refused.`, { fix })];
  }
  if (Math.abs(skewMs) > WARN_AFTER_MS) {
    return [
      finding('clock-skew', 'warning', `${said}: tokens still work, but past 5 minutes every one is refused.`, { fix }),
    ];
  }
  return [finding('clock-ok', 'info', `${said}: within a minute.`)];
}
