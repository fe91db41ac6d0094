import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { CliIo } from '../../../cli/cli-io';
import { InputError, parseInputText, readInputs } from '../../../cli/replay-input';
import { loadJson } from '../../support/fixtures';

type Envelope = { id: string; time: string; detail: { taskArn: string } };

const event = () => loadJson<Envelope>('cases', 'case-01', 'event.json');
const sequence = () => loadJson<Envelope[]>('cases', 'case-06', 'events.json');
const ids = (records: { value: unknown }[]) => records.map((r) => (r.value as Envelope).id);

function io(stdin = ''): CliIo {
  const sink = new Writable({ write: (_c, _e, done) => done() });
  return { out: sink, err: sink, env: {}, stdin: Readable.from([stdin]), isTTY: false };
}

describe('replay input shapes', () => {
  it('reads a single pretty-printed envelope', () => {
    const records = parseInputText(JSON.stringify(event(), null, 2), 'event.json');
    expect(ids(records)).toEqual([event().id]);
    expect(records[0]?.source).toBe('event.json');
  });

  it('reads an array of envelopes, with their index as the source', () => {
    const records = parseInputText(JSON.stringify(sequence(), null, 2), 'events.json');
    expect(ids(records)).toEqual(sequence().map((e) => e.id));
    expect(records.map((r) => r.source)).toEqual(['events.json[0]', 'events.json[1]', 'events.json[2]']);
  });

  it('reads JSON Lines (an EventBridge archive replay delivered to a file), skipping blank lines', () => {
    const text = `${sequence()
      .map((e) => JSON.stringify(e))
      .join('\n\n')}\n`;
    const records = parseInputText(text, 'replay.jsonl');
    expect(ids(records)).toEqual(sequence().map((e) => e.id));
    expect(records.map((r) => r.source)).toEqual(['replay.jsonl:1', 'replay.jsonl:3', 'replay.jsonl:5']);
  });

  it('reads CloudWatch Logs export lines "<timestamp> <message>"', () => {
    const text = sequence()
      .map((e) => `${e.time} ${JSON.stringify(e)}`)
      .join('\n');
    expect(ids(parseInputText(text, 'export.txt'))).toEqual(sequence().map((e) => e.id));
  });

  it('reads log messages after a Lambda log prefix', () => {
    const text = `2025-02-17T14:05:14.000Z\t4f1c\tINFO\t${JSON.stringify(event())}`;
    expect(ids(parseInputText(text, 'lambda.log'))).toEqual([event().id]);
  });

  it('reads { timestamp, message } objects, one per line or as an array', () => {
    const entries = sequence().map((e) => ({ timestamp: Date.parse(e.time), message: JSON.stringify(e) }));
    expect(ids(parseInputText(entries.map((e) => JSON.stringify(e)).join('\n'), 'a.jsonl'))).toEqual(
      sequence().map((e) => e.id),
    );
    expect(ids(parseInputText(JSON.stringify(entries), 'a.json'))).toEqual(sequence().map((e) => e.id));
  });

  it('reads `aws logs filter-log-events` output', () => {
    const output = {
      events: sequence().map((e, i) => ({
        logStreamName: 's',
        timestamp: Date.parse(e.time),
        message: JSON.stringify(e),
        ingestionTime: Date.parse(e.time) + 1000,
        eventId: String(i),
      })),
      searchedLogStreams: [],
    };
    const records = parseInputText(JSON.stringify(output, null, 2), 'filter.json');
    expect(ids(records)).toEqual(sequence().map((e) => e.id));
    expect(records[1]?.source).toBe('filter.json events[1]');
  });

  it('reads Logs Insights results by their @message field', () => {
    const output = {
      results: sequence().map((e) => [
        { field: '@timestamp', value: e.time },
        { field: '@message', value: JSON.stringify(e) },
      ]),
      status: 'Complete',
    };
    expect(ids(parseInputText(JSON.stringify(output), 'insights.json'))).toEqual(sequence().map((e) => e.id));
  });

  it('reads CloudTrail trail files and lookup-events output record by record', () => {
    const record = { eventName: 'RunTask', eventSource: 'ecs.amazonaws.com', eventID: 'ct-1' };
    expect(parseInputText(JSON.stringify({ Records: [record] }), 'trail.json').map((r) => r.value)).toEqual([
      record,
    ]);
    const lookup = { Events: [{ EventId: 'ct-1', CloudTrailEvent: JSON.stringify(record) }] };
    expect(parseInputText(JSON.stringify(lookup), 'lookup.json').map((r) => r.value)).toEqual([record]);
  });

  it('reports every bad JSON line with its line number', () => {
    const text = [JSON.stringify(event()), '{"id": "x",', JSON.stringify(event()), 'not json at all'].join(
      '\n',
    );
    expect(() => parseInputText(text, 'bad.jsonl')).toThrow(InputError);
    try {
      parseInputText(text, 'bad.jsonl');
    } catch (err) {
      expect((err as Error).message).toMatch(/2 unreadable line/);
      expect((err as Error).message).toMatch(/bad\.jsonl:2: invalid JSON/);
      expect((err as Error).message).toMatch(/bad\.jsonl:4:/);
    }
  });

  it('reports the line of a syntax error in a pretty-printed document', () => {
    const text = `\n${JSON.stringify(event(), null, 2).replace('"source": "aws.ecs",', '"source": "aws.ecs"')}`;
    expect(() => parseInputText(text, 'pretty.json')).toThrow(/^pretty\.json:\d+: invalid JSON/);
  });

  it('reads nothing from an empty input', () => {
    expect(parseInputText('  \n\n', 'empty.json')).toEqual([]);
  });

  it('reads a folder (sorted, .gz too), a file and stdin', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'replay-input-'));
    const [a, b, c] = sequence();
    writeFileSync(join(dir, 'b.json'), JSON.stringify(b));
    writeFileSync(join(dir, 'a.jsonl.gz'), gzipSync(JSON.stringify(a)));
    writeFileSync(join(dir, 'ignored.md'), 'not events');
    const file = join(dir, 'c.txt');
    writeFileSync(file, `${c?.time} ${JSON.stringify(c)}`);
    const records = await readInputs([dir, '-'], io(JSON.stringify(event())));
    expect(ids(records)).toEqual([a?.id, b?.id, c?.id, event().id]);
    expect(records[3]?.source).toBe('stdin');
    expect(ids(await readInputs([file], io()))).toEqual([c?.id]);
  });

  it('says which path cannot be read', async () => {
    await expect(readInputs(['/nonexistent/events.json'], io())).rejects.toThrow(
      /cannot read \/nonexistent\/events\.json: ENOENT/,
    );
  });
});
