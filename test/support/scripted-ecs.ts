/**
 * A real ECSClient whose HTTP handler answers from a script (a case's api-responses.json), so the
 * SDK's own serialization, error parsing and retry middleware run for real. Like ECS, a clientToken
 * that already produced a task returns that task again for the same request.
 */

import { Readable } from 'node:stream';
import { ECSClient } from '@aws-sdk/client-ecs';

export interface ScriptedError {
  error: { name: string; message: string; httpStatusCode?: number };
}
export type ScriptedResponse = Record<string, unknown> | ScriptedError;

export interface RecordedCall {
  operation: string;
  body: Record<string, unknown>;
  at: number;
  answered: 'scripted' | 'idempotent-replay' | 'error' | 'unscripted';
}

function isError(r: ScriptedResponse): r is ScriptedError {
  return typeof (r as ScriptedError).error === 'object';
}

export class ScriptedEcs {
  readonly calls: RecordedCall[] = [];
  private readonly queues: Map<string, ScriptedResponse[]>;
  private readonly byToken = new Map<string, { body: string; response: Record<string, unknown> }>();
  readonly client: ECSClient;

  constructor(
    script: Record<string, ScriptedResponse[]>,
    private readonly now: () => number,
    private readonly describe?: (body: Record<string, unknown>) => Record<string, unknown>,
  ) {
    this.queues = new Map(Object.entries(script).map(([op, list]) => [op, [...list]]));
    this.client = new ECSClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      endpoint: 'http://ecs.scripted.invalid',
      maxAttempts: 3,
      requestHandler: {
        handle: (request: { headers: Record<string, string>; body?: unknown }) => this.handle(request),
      },
    });
  }

  /** RunTask requests in the order they were sent (SDK retries included). */
  get runTaskRequests(): Record<string, unknown>[] {
    return this.calls.filter((c) => c.operation === 'RunTask').map((c) => c.body);
  }

  private respond(status: number, payload: unknown) {
    const body = Readable.from([Buffer.from(JSON.stringify(payload))]);
    return {
      // The SDK recognises a response by shape (statusCode, headers, body).
      response: { statusCode: status, headers: { 'content-type': 'application/x-amz-json-1.1' }, body },
    };
  }

  private async handle(request: { headers: Record<string, string>; body?: unknown }) {
    const target = request.headers['x-amz-target'] ?? request.headers['X-Amz-Target'] ?? '';
    const operation = target.slice(target.indexOf('.') + 1);
    const bodyText =
      typeof request.body === 'string'
        ? request.body
        : request.body instanceof Uint8Array
          ? new TextDecoder().decode(request.body)
          : '{}';
    const body = JSON.parse(bodyText) as Record<string, unknown>;
    const call: RecordedCall = { operation, body, at: this.now(), answered: 'scripted' };
    this.calls.push(call);

    if (operation === 'DescribeTasks') {
      call.answered = 'scripted';
      return this.respond(200, this.describe ? this.describe(body) : { tasks: [], failures: [] });
    }
    const token = typeof body.clientToken === 'string' ? body.clientToken : undefined;
    const { clientToken: _t, ...rest } = body;
    const fingerprint = JSON.stringify(rest);
    if (token && this.byToken.has(token)) {
      const bound = this.byToken.get(token);
      call.answered = 'idempotent-replay';
      if (bound && bound.body !== fingerprint) {
        return this.respond(400, {
          __type: 'ConflictException',
          message: 'clientToken bound to other parameters',
        });
      }
      return this.respond(200, bound?.response);
    }
    const next = this.queues.get(operation)?.shift();
    if (!next) {
      call.answered = 'unscripted';
      return this.respond(400, {
        __type: 'ClientException',
        message: `no scripted ${operation} response left`,
      });
    }
    if (isError(next)) {
      call.answered = 'error';
      if (next.error.name === 'TimeoutError') {
        const err = new Error(next.error.message);
        err.name = 'TimeoutError';
        throw err;
      }
      return this.respond(next.error.httpStatusCode ?? 400, {
        __type: next.error.name,
        message: next.error.message,
      });
    }
    const tasks = (next.tasks as unknown[] | undefined) ?? [];
    if (token && tasks.length > 0) this.byToken.set(token, { body: fingerprint, response: next });
    return this.respond(200, next);
  }
}
