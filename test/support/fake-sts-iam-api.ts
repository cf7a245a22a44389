import { escapeXml, FakeQueryApi, type FakeAnswer } from './fake-query-api.js';

/**
 * A loopback stand-in for STS: GetCallerIdentity answers `identity`. Reach it with `AWS_ENDPOINT_URL_STS=fake.url`.
 */
export class FakeStsApi extends FakeQueryApi {
  protected readonly xmlns = 'https://sts.amazonaws.com/doc/2011-06-15/';
  identity = {
    account: '123456789012',
    arn: 'arn:aws:sts::123456789012:assumed-role/app-role/i-0abc',
    userId: 'AROAEXAMPLEID:i-0abc',
  };

  protected answer(action: string): FakeAnswer {
    if (action !== 'GetCallerIdentity') return this.invalidAction(action);
    return this.result(
      action,
      `
    <Arn>${escapeXml(this.identity.arn)}</Arn>
    <UserId>${escapeXml(this.identity.userId)}</UserId>
    <Account>${this.identity.account}</Account>`,
    );
  }
}

/** What the fake IAM decides for one principal, action and resource, and the statements it says matched. */
export interface FakeDecision {
  decision: 'allowed' | 'implicitDeny' | 'explicitDeny';
  matched?: { policyId: string; type: string; line: number }[];
}

/**
 * A loopback stand-in for IAM: SimulatePrincipalPolicy answers what `decide` says (implicit deny unless told), one
 * evaluation result per action and resource. Reach it with `AWS_ENDPOINT_URL_IAM=fake.url`.
 */
export class FakeIamApi extends FakeQueryApi {
  protected readonly xmlns = 'https://iam.amazonaws.com/doc/2010-05-08/';
  decide: (principal: string, action: string, resource: string) => FakeDecision = () => ({ decision: 'implicitDeny' });

  protected answer(action: string, params: Record<string, string>): FakeAnswer {
    if (action !== 'SimulatePrincipalPolicy') return this.invalidAction(action);
    const principal = params['PolicySourceArn'] ?? '';
    const members = (prefix: string) =>
      Object.entries(params)
        .filter(([k]) => k.startsWith(`${prefix}.member.`))
        .map(([, v]) => v);
    const results = members('ActionNames').flatMap((a) =>
      members('ResourceArns').map((r) => {
        const { decision, matched = [] } = this.decide(principal, a, r);
        const statements = matched
          .map(
            (m) => `
            <member>
              <SourcePolicyId>${escapeXml(m.policyId)}</SourcePolicyId>
              <SourcePolicyType>${escapeXml(m.type)}</SourcePolicyType>
              <StartPosition><Line>${m.line}</Line><Column>9</Column></StartPosition>
              <EndPosition><Line>${m.line + 4}</Line><Column>6</Column></EndPosition>
            </member>`,
          )
          .join('');
        return `
        <member>
          <EvalActionName>${escapeXml(a)}</EvalActionName>
          <EvalResourceName>${escapeXml(r)}</EvalResourceName>
          <EvalDecision>${decision}</EvalDecision>
          <MatchedStatements>${statements}
          </MatchedStatements>
          <MissingContextValues/>
        </member>`;
      }),
    );
    return this.result(
      action,
      `
    <IsTruncated>false</IsTruncated>
    <EvaluationResults>${results.join('')}
    </EvaluationResults>`,
    );
  }
}
