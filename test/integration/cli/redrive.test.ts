/**
 * `redrive` against dynalite seeded by the real remediator, with the production dependencies
 * (createDeps) on a real ECS client whose transport is scripted (DescribeTasks answers the stopped
 * task as ECS would; RunTask starts a task) and a fake EventBridge endpoint.
 */
import { Readable } from 'node:stream';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { loadJson } from '../../support/fixtures';
import { ScriptedEcs } from '../../support/scripted-ecs';
import {
  type CliRun,
  LOCAL_CREDENTIALS,
  runCliCaptured,
  type SeededTable,
  seedAuditTable,
} from './seeded-audit-table';

type Detail = Record<string, unknown> & { taskArn: string };
type Envelope = { detail: Detail };

const CASES = ['case-01', 'case-07', 'case-12'];
const NEW_TASKS = [
  'arn:aws:ecs:eu-west-2:111122223333:task/ingest/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  'arn:aws:ecs:us-east-1:111122223333:task/backfill/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
];

/** The stopped task as DescribeTasks returns it on the wire (epoch seconds, ENI attachment name). */
function describedTask(detail: Detail): Record<string, unknown> {
  const task: Record<string, unknown> = { ...detail };
  for (const [key, value] of Object.entries(task)) {
    if (key.endsWith('At') && typeof value === 'string') task[key] = Date.parse(value) / 1000;
  }
  const attachments = (detail.attachments as { type?: string }[] | undefined) ?? [];
  task.attachments = attachments.map((a) => ({
    ...a,
    type: a.type === 'eni' ? 'ElasticNetworkInterface' : a.type,
  }));
  return task;
}

/** Every task of the cases, by ARN, from its last event. */
function stoppedTasks(): Map<string, Detail> {
  const tasks = new Map<string, Detail>();
  for (const name of CASES) {
    const events = (() => {
      try {
        return loadJson<Envelope[]>('cases', name, 'events.json');
      } catch {
        return [loadJson<Envelope>('cases', name, 'event.json')];
      }
    })();
    for (const e of events) tasks.set(e.detail.taskArn, e.detail);
  }
  return tasks;
}

function fakeEventBridge(calls: unknown[]): EventBridgeClient {
  return new EventBridgeClient({
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    endpoint: 'http://events.invalid',
    requestHandler: {
      handle: async (request: { body?: unknown }) => {
        const body = request.body;
        const text =
          typeof body === 'string' ? body : body instanceof Uint8Array ? Buffer.from(body).toString() : '{}';
        calls.push(JSON.parse(text));
        const answer = JSON.stringify({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
        return {
          response: {
            statusCode: 200,
            headers: { 'content-type': 'application/x-amz-json-1.1' },
            body: Readable.from([Buffer.from(answer)]),
          },
        };
      },
    },
  });
}

let table: SeededTable;
let ecs: ScriptedEcs;
const published: unknown[] = [];
const root = (name: string) => table.runs.get(name)?.rootTaskArn ?? `missing ${name}`;

async function cli(
  argv: string[],
  io: { confirm?: (q: string) => Promise<boolean>; env?: Record<string, string> } = {},
) {
  return runCliCaptured(['--endpoint', table.db.endpoint, '--table', table.tableName, ...argv], {
    env: io.env ?? {},
    io: {
      clients: { ecs: ecs.client, events: fakeEventBridge(published) },
      ...(io.confirm ? { confirm: io.confirm, stdinIsTTY: true } : {}),
    },
  });
}

const json = (run: CliRun) => JSON.parse(run.out) as Record<string, unknown>;

beforeAll(async () => {
  table = await seedAuditTable(CASES);
  const tasks = stoppedTasks();
  ecs = new ScriptedEcs(
    {
      RunTask: NEW_TASKS.map((taskArn) => ({
        tasks: [{ taskArn, lastStatus: 'PROVISIONING' }],
        failures: [],
      })),
    },
    () => Date.now(),
    (body) => ({
      tasks: ((body.tasks as string[]) ?? []).flatMap((arn) => {
        const detail = tasks.get(arn);
        return detail ? [describedTask(detail)] : [];
      }),
      failures: [],
    }),
  );
});

afterAll(async () => {
  await table.stop();
});

describe('redrive', () => {
  it('relaunches a chain that gave up, records who did it, and audit show tells', async () => {
    const chain = json(await cli(['audit', 'show', root('case-07'), '--json'])).chain as {
      newTaskArns: string[];
    };
    const replacement = chain.newTaskArns[0] ?? '';
    const run = await cli(['redrive', replacement, '--yes', '--by', 'alice@example.com']);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toContain('RELAUNCHED');
    expect(run.out).toContain(NEW_TASKS[0]);

    const runTasks = ecs.runTaskRequests;
    expect(runTasks).toHaveLength(1);
    expect(runTasks[0]).toMatchObject({
      cluster: 'arn:aws:ecs:eu-west-2:111122223333:cluster/ingest',
      count: 1,
    });
    expect(published).toHaveLength(1);

    const shown = json(await cli(['audit', 'show', root('case-07'), '--json']));
    expect(shown.chain).toMatchObject({
      outcome: 'RELAUNCHED',
      reasonCode: 'REDRIVEN',
      redrivenBy: 'alice@example.com',
    });
    expect((shown.attempts as { attempt: number; status: string }[]).at(-1)).toMatchObject({
      attempt: 4,
      status: 'LAUNCHED',
    });
    const text = await cli(['audit', 'show', root('case-07')]);
    expect(text.out).toMatch(/redriven by\s+alice@example\.com/);
  });

  it('refuses a chain that is not redrivable, exit 1', async () => {
    const run = await cli(['redrive', root('case-01'), '--yes', '--by', 'alice']);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/REFUSED: the chain is RELAUNCHED; only GAVE_UP, UNRESOLVED, FAILED/);
  });

  it('shows the request of a dry run and sends nothing', async () => {
    const before = ecs.runTaskRequests.length;
    const run = await cli(['redrive', root('case-12'), '--dry-run', '--json', '--by', 'alice']);
    expect(run.code).toBe(0);
    const result = json(run);
    expect(result).toMatchObject({ outcome: 'DRY_RUN', rootTaskArn: root('case-12') });
    expect(result.request).toMatchObject({ taskDefinition: expect.stringContaining('db-backfill:41') });
    expect(ecs.runTaskRequests).toHaveLength(before);
  });

  it('asks on a terminal and does nothing when declined, exit 1', async () => {
    const questions: string[] = [];
    const run = await cli(['redrive', root('case-12')], {
      env: { USER: 'bob' },
      confirm: async (q) => {
        questions.push(q);
        return false;
      },
    });
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/not redriven: the operator declined/);
    expect(questions[0]).toMatch(/db-backfill in cluster backfill, FAILED/);
    expect(questions[0]).toMatch(/redriven by bob/);
  });

  it('redrives once confirmed, as $USER', async () => {
    const run = await cli(['redrive', root('case-12'), '--json'], {
      env: { USER: 'bob' },
      confirm: async () => true,
    });
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({ outcome: 'RELAUNCHED', newTaskArn: NEW_TASKS[1] });
    const shown = json(await cli(['audit', 'show', root('case-12'), '--json']));
    expect(shown.chain).toMatchObject({ outcome: 'RELAUNCHED', redrivenBy: 'bob' });
  });

  it('exits 3 for a task the table does not know', async () => {
    const run = await cli([
      'redrive',
      'arn:aws:ecs:us-east-1:111122223333:task/x/cccccccccccccccccccccccccccccccc',
      '--yes',
      '--by',
      'a',
    ]);
    expect(run.code).toBe(3);
  });
});
