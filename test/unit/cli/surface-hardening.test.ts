/** Inputs an operator gives by accident (or an event carries on purpose) get a clear answer. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import type { CliIo } from '../../../cli/cli-io';
import { runCli } from '../../../cli/main';
import { printable } from '../../../cli/output';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _e: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function run(argv: string[]) {
  const out = new Capture();
  const err = new Capture();
  const io: CliIo = { out, err, env: {}, stdin: Readable.from([]), isTTY: false };
  const code = await runCli(argv, io);
  return { code, out: out.text, err: err.text };
}

/** Code points of C0/C1 control characters in a string (line feeds included). */
function controlChars(text: string): number[] {
  return [...text].map((ch) => ch.codePointAt(0) ?? 0).filter((c) => c < 0x20 || (c >= 0x7f && c <= 0x9f));
}

describe('printable', () => {
  it('neutralises escape sequences, bells and carriage returns', () => {
    const text = printable('a\u001b]0;PWNED\u0007b\u001bc\rd');
    expect(controlChars(text)).toEqual([]);
    expect(text).toContain('a');
    expect(text).toContain('PWNED');
  });

  it('turns line breaks into spaces so one value cannot forge table rows', () => {
    expect(printable('evil\nFAKE ROW')).toBe('evil FAKE ROW');
  });

  it('keeps line breaks in multi-line messages when asked', () => {
    expect(printable('one\n  two\u001b[31m', { keepLineBreaks: true })).toBe('one\n  two\ufffd[31m');
  });
});

describe('usage errors instead of raw failures', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eni-cli-'));

  it('refuses an empty replay input with exit 2', async () => {
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, '');
    const r = await run(['replay', empty]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no events in/);
  });

  it('refuses a malformed --endpoint with exit 2 and an example', async () => {
    const r = await run(['--endpoint', 'not-a-url', '--table', 'audit', 'audit', 'list']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--endpoint must be a URL such as http:\/\//);
  });

  it('never echoes terminal control characters from an unreadable file', async () => {
    const file = join(dir, 'evil.log');
    writeFileSync(file, '2025-01-01T00:00:00Z hello \u001b]0;PWNED\u0007 world\n');
    const r = await run(['replay', file]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('PWNED');
    expect(controlChars(r.err).filter((c) => c !== 0x0a)).toEqual([]);
  });
});
