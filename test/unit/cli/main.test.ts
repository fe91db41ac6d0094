import { Readable, Writable } from 'node:stream';
import type { CliIo } from '../../../cli/cli-io';
import { runDemo } from '../../../cli/demo';
import { buildProgram, runCli } from '../../../cli/main';
import { FIXTURES, loadJson } from '../../support/fixtures';

jest.mock('../../../cli/demo', () => ({ runDemo: jest.fn(async () => 0) }));

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _e: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function run(argv: string[], over: Partial<CliIo> = {}) {
  const out = new Capture();
  const err = new Capture();
  const io: CliIo = { out, err, env: {}, stdin: Readable.from([]), isTTY: false, ...over };
  const code = await runCli(argv, io);
  return { code, out: out.text, err: err.text };
}

const LOCAL = ['--endpoint', 'http://127.0.0.1:9', '--table', 'audit'];
const TASK = 'arn:aws:ecs:eu-west-1:111122223333:task/jobs/0123456789abcdef0123456789abcdef';

describe('eni-remediator command line', () => {
  it('has one command per access pattern, plus replay, redrive and demo', () => {
    const program = buildProgram({
      out: new Capture(),
      err: new Capture(),
      env: {},
      stdin: Readable.from([]),
      isTTY: false,
    });
    const audit = program.commands.find((c) => c.name() === 'audit');
    expect(program.commands.map((c) => c.name())).toEqual(['audit', 'replay', 'redrive', 'demo']);
    expect(audit?.commands.map((c) => c.name())).toEqual(['list', 'show', 'stats']);
  });

  it('prints help with the exit codes, exit 0', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('audit');
    expect(result.out).toContain('Exit codes:');
  });

  it.each([
    [['nope'], /unknown command/],
    [['audit', 'list', '--json', '--csv', ...LOCAL], /--json and --csv exclude each other/],
    [['audit', 'list', '--since', 'yesterday', ...LOCAL], /--since "yesterday" is not a time/],
    [['audit', 'list', '--outcome', 'LOST', ...LOCAL], /is not an outcome/],
    [['audit', 'list', '--limit', '0', ...LOCAL], /positive integer/],
    [['audit', 'list', '--next-token', 'garbage', ...LOCAL], /next-token/],
    [['audit', 'show', 'task-123', ...LOCAL], /not a task ARN/],
    [
      ['audit', 'show', TASK, '--endpoint', 'http://127.0.0.1:9'],
      /pass --table NAME or set ENI_REMEDIATOR_TABLE/,
    ],
    [['redrive', TASK, '--by', 'alice', ...LOCAL], /pass --yes/],
    [['redrive', TASK, '--yes', ...LOCAL], /pass --by NAME/],
  ])('exits 2 on usage errors (%j) with a hint', async (argv, hint) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(hint);
  });

  it('replays a file and prints JSON, exit 0', async () => {
    const result = await run(['replay', `${FIXTURES}/cases/case-06/events.json`, '--json']);
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.out) as { decision: string; reasonCode: string }[];
    expect(rows.map((r) => r.reasonCode)).toEqual(['NO_LAUNCH_RECORD', 'NOT_STOPPED', 'DUPLICATE_EVENT']);
  });

  it('replays stdin, showing progress on a terminal for large inputs', async () => {
    const event = JSON.stringify(loadJson('cases', 'case-05', 'event.json'));
    const lines = Array.from({ length: 60 }, () => event).join('\n');
    const result = await run(['replay', '-', '--csv'], { stdin: Readable.from([lines]), errIsTTY: true });
    expect(result.code).toBe(0);
    expect(result.out.trim().split('\n')).toHaveLength(61);
    expect(result.err).toContain('replaying 60/60 events');
  });

  it('colours output only on a terminal, and never with NO_COLOR', async () => {
    const file = `${FIXTURES}/cases/case-05/event.json`;
    const ESC = String.fromCharCode(27);
    expect((await run(['replay', file], { isTTY: true })).out).toContain(`${ESC}[`);
    expect((await run(['replay', file], { isTTY: false })).out).not.toContain(ESC);
    expect((await run(['replay', file], { isTTY: true, env: { NO_COLOR: '1' } })).out).not.toContain(ESC);
  });

  it('exits 2 with the line number of unreadable input', async () => {
    const result = await run(['replay', '-'], { stdin: Readable.from(['{"id": 1}\n{oops\n']) });
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/stdin:2: invalid JSON/);
  });

  it('runs the sandbox demo with the options given and exits with its code', async () => {
    const demo = runDemo as jest.MockedFunction<typeof runDemo>;
    demo.mockResolvedValueOnce(0);
    expect((await run(['demo', '--events', 'some/folder', '--json'])).code).toBe(0);
    expect(demo).toHaveBeenLastCalledWith(
      expect.objectContaining({
        events: 'some/folder',
        json: true,
        out: expect.anything(),
        err: expect.anything(),
      }),
    );
    demo.mockResolvedValueOnce(1);
    expect((await run(['demo'])).code).toBe(1);
  });
});
