import { once } from 'node:events';
import { after, before } from 'node:test';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One member cluster of a global database. */
export interface FakeMember {
  /** `arn:aws:rds:<region>:<account>:cluster:<name>`. */
  arn: string;
  isWriter: boolean;
}

export interface FakeGlobalCluster {
  identifier: string;
  /** The global writer endpoint; omitted from the answer when undefined. */
  endpoint: string | undefined;
  status?: string;
  members: FakeMember[];
}

/** What the next request gets instead of a normal answer. */
export type FakeFault =
  | { kind: 'error'; status: number; code: string; message: string }
  /** Never answers (until the server closes). */
  | { kind: 'hang' };

/** A request as the fake saw it: what was asked, and the SigV4 scope it was signed with (never the signature). */
export interface FakeCall {
  action: string | null;
  params: Record<string, string>;
  accessKeyId: string | null;
  signingRegion: string | null;
  service: string | null;
}

const XMLNS = 'http://rds.amazonaws.com/doc/2014-10-31/';

/**
 * A loopback stand-in for the RDS Query API (POST form-encoded `Action=...`, XML answers as RDS writes them), answering
 * DescribeGlobalClusters from `clusters` and GlobalClusterNotFoundFault for unknown names. Faults queued with `fail()`
 * answer the next requests, in order. Reach it with `AWS_ENDPOINT_URL_RDS=fake.url`.
 */
export class FakeRdsApi {
  clusters: FakeGlobalCluster[] = [];
  readonly calls: FakeCall[] = [];
  readonly #faults: FakeFault[] = [];
  readonly #hanging = new Set<ServerResponse>();
  #server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.#server = createServer((req, res) => void this.#answer(req, res));
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  /** Queues faults for the next requests. */
  fail(...faults: FakeFault[]): void {
    this.#faults.push(...faults);
  }

  /** Calls of one action. */
  callsOf(action: string): FakeCall[] {
    return this.calls.filter((c) => c.action === action);
  }

  async #answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    // Authorization: AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, SignedHeaders=..., Signature=...
    const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(req.headers.authorization ?? '');
    this.calls.push({
      action: params['Action'] ?? null,
      params,
      accessKeyId: scope?.[1] ?? null,
      signingRegion: scope?.[2] ?? null,
      service: scope?.[3] ?? null,
    });
    const fault = this.#faults.shift();
    if (fault?.kind === 'hang') {
      this.#hanging.add(res);
      return;
    }
    if (fault?.kind === 'error') return send(res, fault.status, errorXml(fault.code, fault.message));
    if (params['Action'] !== 'DescribeGlobalClusters') {
      return send(
        res,
        400,
        errorXml('InvalidAction', `The action ${params['Action'] ?? '(none)'} is not valid for this web service.`),
      );
    }
    const wanted = params['GlobalClusterIdentifier']?.toLowerCase();
    const found = this.clusters.filter((c) => wanted === undefined || c.identifier === wanted);
    if (wanted !== undefined && found.length === 0) {
      return send(res, 404, errorXml('GlobalClusterNotFoundFault', `GlobalCluster ${wanted} not found.`));
    }
    send(res, 200, describeXml(found));
  }
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId() }).end(body);
}

function requestId(): string {
  return '5f2c0b44-0000-4000-8000-000000000000';
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// The shapes of the RDS API reference (DescribeGlobalClusters, GlobalCluster, GlobalClusterMember): list members of
// GlobalClusters and GlobalClusterMembers are both <GlobalClusterMember>, Readers' are <member>.
function describeXml(clusters: FakeGlobalCluster[]): string {
  const cluster = (c: FakeGlobalCluster) => {
    const writer = c.members.find((m) => m.isWriter);
    const members = c.members
      .map(
        (m) => `
          <GlobalClusterMember>
            <DBClusterArn>${escapeXml(m.arn)}</DBClusterArn>
            <Readers>${
              m.isWriter
                ? c.members
                    .filter((r) => !r.isWriter)
                    .map((r) => `<member>${escapeXml(r.arn)}</member>`)
                    .join('')
                : ''
            }</Readers>
            <IsWriter>${m.isWriter}</IsWriter>
            <GlobalWriteForwardingStatus>disabled</GlobalWriteForwardingStatus>
            ${m.isWriter ? '' : '<SynchronizationStatus>connected</SynchronizationStatus>'}
          </GlobalClusterMember>`,
      )
      .join('');
    return `
      <GlobalClusterMember>
        <GlobalClusterIdentifier>${escapeXml(c.identifier)}</GlobalClusterIdentifier>
        <GlobalClusterResourceId>cluster-0a1b2c3d4e5f60718</GlobalClusterResourceId>
        <GlobalClusterArn>arn:aws:rds::123456789012:global-cluster:${escapeXml(c.identifier)}</GlobalClusterArn>
        <Status>${escapeXml(c.status ?? 'available')}</Status>
        <Engine>aurora-postgresql</Engine>
        <EngineVersion>15.4</EngineVersion>
        <EngineLifecycleSupport>open-source-rds-extended-support</EngineLifecycleSupport>
        <DatabaseName>app</DatabaseName>
        <StorageEncrypted>true</StorageEncrypted>
        <DeletionProtection>false</DeletionProtection>
        <GlobalClusterMembers>${members}
        </GlobalClusterMembers>
        ${c.endpoint === undefined ? '' : `<Endpoint>${escapeXml(c.endpoint)}</Endpoint>`}
        ${writer === undefined ? '<FailoverState><Status>failing-over</Status></FailoverState>' : ''}
        <TagList/>
      </GlobalClusterMember>`;
  };
  return `<DescribeGlobalClustersResponse xmlns="${XMLNS}">
  <DescribeGlobalClustersResult>
    <GlobalClusters>${clusters.map(cluster).join('')}
    </GlobalClusters>
  </DescribeGlobalClustersResult>
  <ResponseMetadata>
    <RequestId>${requestId()}</RequestId>
  </ResponseMetadata>
</DescribeGlobalClustersResponse>
`;
}

function errorXml(code: string, message: string): string {
  return `<ErrorResponse xmlns="${XMLNS}">
  <Error>
    <Type>Sender</Type>
    <Code>${escapeXml(code)}</Code>
    <Message>${escapeXml(message)}</Message>
  </Error>
  <RequestId>${requestId()}</RequestId>
</ErrorResponse>
`;
}

/** A fake RDS API for the whole test file: started before its tests, AWS_ENDPOINT_URL_RDS pointing at it meanwhile. */
export function fakeRdsApiForThisFile(): FakeRdsApi {
  const api = new FakeRdsApi();
  let saved: string | undefined;
  before(async () => {
    await api.start();
    saved = process.env.AWS_ENDPOINT_URL_RDS;
    process.env.AWS_ENDPOINT_URL_RDS = api.url;
  });
  after(async () => {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_RDS;
    else process.env.AWS_ENDPOINT_URL_RDS = saved;
    await api.stop();
  });
  return api;
}
