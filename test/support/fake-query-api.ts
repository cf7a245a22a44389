import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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

/** An answer: its HTTP status and XML body. */
export interface FakeAnswer {
  status: number;
  body: string;
}

const REQUEST_ID = '5f2c0b44-0000-4000-8000-000000000000';

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A loopback stand-in for one AWS Query API (POST form-encoded `Action=...`, XML answers as AWS writes them): RDS,
 * STS and IAM all speak it. A subclass answers each action; faults queued with `fail()` answer the next requests, in
 * order. Every answer has a `Date` header, `clockOffsetMs` ahead of this machine's clock (a skewed client clock).
 */
export abstract class FakeQueryApi {
  readonly calls: FakeCall[] = [];
  /** How far the server's clock (its Date header) is ahead of the local one. */
  clockOffsetMs = 0;
  readonly #faults: FakeFault[] = [];
  readonly #hanging = new Set<ServerResponse>();
  #server: Server | undefined;
  url = '';

  /** The XML namespace of the API's answers. */
  protected abstract readonly xmlns: string;

  /** The answer to one action. */
  protected abstract answer(action: string, params: Record<string, string>): FakeAnswer;

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

  /** `<Action>Response><Action>Result>…`, as the Query APIs wrap a result. */
  protected result(action: string, inner: string): FakeAnswer {
    return {
      status: 200,
      body: `<${action}Response xmlns="${this.xmlns}">
  <${action}Result>${inner}
  </${action}Result>
  <ResponseMetadata>
    <RequestId>${REQUEST_ID}</RequestId>
  </ResponseMetadata>
</${action}Response>
`,
    };
  }

  protected error(status: number, code: string, message: string): FakeAnswer {
    return {
      status,
      body: `<ErrorResponse xmlns="${this.xmlns}">
  <Error>
    <Type>Sender</Type>
    <Code>${escapeXml(code)}</Code>
    <Message>${escapeXml(message)}</Message>
  </Error>
  <RequestId>${REQUEST_ID}</RequestId>
</ErrorResponse>
`,
    };
  }

  protected invalidAction(action: string): FakeAnswer {
    return this.error(400, 'InvalidAction', `The action ${action} is not valid for this web service.`);
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
    const { status, body } =
      fault?.kind === 'error'
        ? this.error(fault.status, fault.code, fault.message)
        : this.answer(params['Action'] ?? '(none)', params);
    res
      .writeHead(status, {
        'content-type': 'text/xml',
        'x-amzn-requestid': REQUEST_ID,
        date: new Date(Date.now() + this.clockOffsetMs).toUTCString(),
      })
      .end(body);
  }
}
