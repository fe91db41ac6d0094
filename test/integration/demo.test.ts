/** The main job: `npm run demo` on the sandbox, as a new user runs it. */
import { Writable } from 'node:stream';
import { runDemo } from '../../cli/demo';
import { FIXTURES } from '../support/fixtures';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _e: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe('demo', () => {
  it('runs the scenario and the bundled events with every invariant holding', async () => {
    const out = new Capture();
    const err = new Capture();
    const code = await runDemo({ out, err, json: true });
    expect(code).toBe(0);
    const summary = JSON.parse(out.text) as {
      rows: { job: string; decision: string; attempts: number; finalState: string }[];
      stats: { outcomes: Record<string, number>; deadLetters: number };
      invariants: { name: string; ok: boolean }[];
    };
    expect(summary.invariants.every((i) => i.ok)).toBe(true);
    expect(summary.invariants.map((i) => i.name)).toEqual(
      expect.arrayContaining(['no duplicate launch', 'no lost event', 'no relaunch of a task that started']),
    );
    const row = (job: string) => summary.rows.find((r) => r.job === job);
    expect(row('nightly-etl tenant-07')).toMatchObject({
      decision: 'RELAUNCHED',
      attempts: 2,
      finalState: 'ran, exit 0',
    });
    expect(row('report-render #3')).toMatchObject({ decision: 'GAVE_UP: MAX_ATTEMPTS_REACHED', attempts: 3 });
    expect(row('legacy-sync (CloudTrail record lost)')?.decision).toBe('UNRESOLVED: NO_LAUNCH_RECORD');
    expect(row('checkout-api (ECS service task)')?.decision).toBe('not delivered (rule)');
    expect(summary.stats.deadLetters).toBe(0);
    expect(err.text).toContain('launching 26 jobs');
  });

  it('plays given events in their own region, one row per task', async () => {
    const out = new Capture();
    const err = new Capture();
    const code = await runDemo({ out, err, json: true, events: `${FIXTURES}/cases/case-06/events.json` });
    expect(code).toBe(0);
    const summary = JSON.parse(out.text) as { rows: { decision: string }[] };
    expect(summary.rows).toHaveLength(1);
    // No launch record came with the events: nothing is guessed.
    expect(summary.rows[0]?.decision).toBe('UNRESOLVED: NO_LAUNCH_RECORD');
    expect(err.text).toContain('ap-northeast-1');
  });
});
