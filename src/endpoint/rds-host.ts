import { DSQL_ENDPOINT } from '../aws-facts.js';
import { isRegion } from '../region.js';
import { ipVersion } from '../ip.js';

export type EndpointKind =
  | 'instance'
  | 'cluster'
  | 'cluster-ro'
  | 'cluster-custom'
  | 'proxy'
  | 'limitless'
  | 'global'
  | 'dsql'
  | 'ip'
  | 'other';

export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov' | 'aws-iso' | 'aws-iso-b' | 'aws-eusc';

export interface ParsedEndpoint {
  /** Lowercased, one trailing dot removed, IPv6 brackets removed. */
  readonly host: string;
  readonly kind: EndpointKind;
  /** The region named in the host; null for global endpoints, IPs and unknown names. */
  readonly region: string | null;
  readonly partition: Partition | null;
}

// One DNS label: letters, digits and inner hyphens. Anything else (`/`, `%`, `@`, `_`, spaces) makes the host `other`.
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

// Whole-host patterns, tried only after every label has passed LABEL, so `front` and `region` hold
// nothing but letters, digits, hyphens and (in `front`) dots. Each domain admits only its own regions,
// so `x.y.us-east-1.rds.amazonaws.com.cn` is not taken for China.
const RDS_DOMAINS: readonly [RegExp, Partition, RegExp][] = [
  [/^(?<front>.+)\.(?<region>[^.]+)\.rds\.amazonaws\.com$/, 'aws', /^(?!cn-|us-iso|eusc-)/],
  [/^(?<front>.+)\.rds\.(?<region>[^.]+)\.amazonaws\.com\.cn$/, 'aws-cn', /^cn-/],
  [/^(?<front>.+)\.(?<region>[^.]+)\.rds\.amazonaws\.com\.cn$/, 'aws-cn', /^cn-/],
  [/^(?<front>.+)\.rds\.(?<region>[^.]+)\.c2s\.ic\.gov$/, 'aws-iso', /^us-iso-/],
  [/^(?<front>.+)\.rds\.(?<region>[^.]+)\.sc2s\.sgov\.gov$/, 'aws-iso-b', /^us-isob-/],
  [/^(?<front>.+)\.(?<region>[^.]+)\.rds\.amazonaws\.eu$/, 'aws-eusc', /^eusc-/],
];
const GLOBAL = /^[^.]+\.global-[a-z0-9]+\.global\.rds\.amazonaws\.com$/;

// The resource-id label after the name, by prefix; the most specific prefix first.
const RESOURCE_IDS: readonly [RegExp, EndpointKind][] = [
  [/^cluster-ro-[a-z0-9]+$/, 'cluster-ro'],
  [/^cluster-custom-[a-z0-9]+$/, 'cluster-custom'],
  [/^cluster-[a-z0-9]+$/, 'cluster'],
  [/^proxy-[a-z0-9]+$/, 'proxy'],
  [/^shardgrp-[a-z0-9]+$/, 'limitless'],
  [/^[a-z0-9]+$/, 'instance'],
];

/**
 * Classifies a database host name: which kind of RDS/Aurora/DSQL endpoint it is, its region and partition.
 * Never throws: names it does not recognise (custom domains, `localhost`, hostile strings) are `other`.
 */
export function parseEndpoint(input: string): ParsedEndpoint {
  let host = input.toLowerCase();
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host.startsWith('[') && host.endsWith(']') && ipVersion(host.slice(1, -1)) === 6) host = host.slice(1, -1);
  if (ipVersion(host) !== 0) return { host, kind: 'ip', region: null, partition: null };

  if (host.length > 253 || !host.split('.').every((l) => LABEL.test(l))) return other(host);
  if (GLOBAL.test(host)) return { host, kind: 'global', region: null, partition: 'aws' };
  const dsql = DSQL_ENDPOINT.exec(host)?.groups;
  if (dsql?.region !== undefined && isRegion(dsql.region)) {
    return { host, kind: 'dsql', region: dsql.region, partition: 'aws' };
  }
  for (const [pattern, partition, regions] of RDS_DOMAINS) {
    const m = pattern.exec(host)?.groups;
    if (m?.front === undefined || m.region === undefined || !isRegion(m.region)) continue;
    if (!regions.test(m.region)) return other(host);
    const kind = classify(m.front.split('.'));
    if (kind === undefined) return other(host);
    const govCloud = partition === 'aws' && m.region.startsWith('us-gov-');
    return { host, kind, region: m.region, partition: govCloud ? 'aws-us-gov' : partition };
  }
  return other(host);
}

function other(host: string): ParsedEndpoint {
  return { host, kind: 'other', region: null, partition: null };
}

/** The labels before the region part: `<name>.<resource-id>`, or `<name>.endpoint.proxy-<id>` (custom proxy endpoint). */
function classify(front: string[]): EndpointKind | undefined {
  if (front.length === 3 && front[1] === 'endpoint' && /^proxy-[a-z0-9]+$/.test(front[2] ?? '')) return 'proxy';
  if (front.length !== 2) return undefined;
  const id = front[1] ?? '';
  return RESOURCE_IDS.find(([pattern]) => pattern.test(id))?.[1];
}
