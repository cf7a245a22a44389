// The one rule for AWS region names, shared by the config (iam_region) and the endpoint parser (regions in host names).

// By shape, not a list, so regions AWS opens later (ap-southeast-7, mx-central-1, ...) work:
// `us-east-1`, `us-gov-west-1`, `cn-northwest-1`, `us-isob-east-1`, `eusc-de-east-1`.
export const REGION = /^[a-z]{2,4}(?:-[a-z]+){1,3}-\d{1,2}$/;

/** True when `value` is an AWS region name: lowercase, in the shape AWS uses. */
export function isRegion(value: string): boolean {
  return REGION.test(value);
}

/** Why `value` is not a region name, or undefined when it is one. */
export function regionProblem(value: string): string | undefined {
  if (REGION.test(value)) return undefined;
  const lower = value.toLowerCase();
  return REGION.test(lower)
    ? `must be written in lowercase, as AWS does: ${lower}`
    : 'must be an AWS region name such as us-east-1';
}
