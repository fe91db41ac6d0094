/**
 * Benchmark: prints figures, asserts nothing.
 * 1. Core decisions: remediate() over synthetic ENI failures (in-memory store, instant launcher).
 * 2. Sandbox end to end: the demo scenario over HTTP (dynalite + ECS simulator).
 * 3. Lambda bundles: size minified and gzipped, and cold require time.
 * Usage: npm run bench
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { runDemo } from '../cli/demo';
import { MemoryAuditStore } from '../functions/adapters/memory-audit-store';
import { PK, ttlFrom } from '../functions/core/audit-schema';
import { DEFAULT_POLICY } from '../functions/core/policy';
import type { RunTaskRequest, TaskLauncher } from '../functions/core/ports';
import { remediate } from '../functions/core/remediate';

const ROOT = resolve(__dirname, '..');
const template = JSON.parse(
  readFileSync(join(ROOT, 'test/fixtures/events/eni-timeout-rich-overrides.json'), 'utf8'),
);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function coreDecisions(n: number): Promise<void> {
  const store = new MemoryAuditStore();
  let launched = 0;
  const launcher: TaskLauncher = {
    runTask: async (r: RunTaskRequest) => ({
      taskArn: `${String(r.cluster).replace(':cluster/', ':task/')}/r${launched++}`,
      failures: [],
      apiCalls: 1,
    }),
    describeTask: async () => undefined,
  };
  const now = Date.parse(template.time) + 5000;
  const deps = {
    store,
    launcher,
    alerter: { alert: async () => {} },
    publisher: { taskRelaunched: async () => {} },
    clock: { now: () => now, sleep: async () => {} },
    metrics: { count: () => {}, timing: () => {} },
    policy: { ...DEFAULT_POLICY, accountId: '111122223333', launchRecordWaitMs: 0, stormLimit: 1e9 },
    log: { info: () => {}, warn: () => {}, error: () => {} },
    random: Math.random,
  };
  const events = Array.from({ length: n }, (_, i) => {
    const e = structuredClone(template);
    const arn = `${e.detail.taskArn.slice(0, e.detail.taskArn.lastIndexOf('/'))}/${i.toString(16).padStart(32, '0')}`;
    e.id = `bench-${i}`;
    e.detail.taskArn = arn;
    return e;
  });
  for (const e of events) {
    await store.putLaunchRecord({
      pk: PK.launch(e.detail.taskArn),
      sk: 'LAUNCH',
      type: 'LAUNCH',
      taskArn: e.detail.taskArn,
      launch: {
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: { subnets: ['subnet-1', 'subnet-2'], securityGroups: ['sg-1'] },
        },
      },
      cloudTrailEventId: 'x',
      recordedAt: new Date(now).toISOString(),
      expiresAt: ttlFrom(now, 3600),
    });
  }
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const times: number[] = [];
  const started = process.hrtime.bigint();
  for (const e of events) {
    const t0 = process.hrtime.bigint();
    const r = await remediate(e, deps, { requestId: e.id });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.action !== 'retry') throw new Error(`unexpected ${r.action} ${r.reasonCode}`);
  }
  const totalMs = Number(process.hrtime.bigint() - started) / 1e6;
  times.sort((a, b) => a - b);
  const heapAfter = process.memoryUsage().heapUsed;
  console.log(`core decisions: ${n} ENI failures relaunched in ${totalMs.toFixed(0)} ms`);
  console.log(
    `  ${(n / (totalMs / 1000)).toFixed(0)} decisions/s; per decision p50 ${percentile(times, 50).toFixed(3)} ms, p99 ${percentile(times, 99).toFixed(3)} ms, max ${(times[times.length - 1] ?? 0).toFixed(3)} ms`,
  );
  console.log(
    `  heap growth ${((heapAfter - heapBefore) / 1024 / 1024).toFixed(1)} MiB for ${store.items.size} audit items`,
  );
}

async function sandboxDemo(): Promise<void> {
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const t0 = Date.now();
  const code = await runDemo({ out: sink, err: sink, color: false });
  const rss = process.memoryUsage().rss;
  console.log(
    `sandbox demo: exit ${code} in ${((Date.now() - t0) / 1000).toFixed(2)} s wall; process RSS ${(rss / 1024 / 1024).toFixed(0)} MiB`,
  );
}

async function bundles(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'eni-bench-'));
  try {
    for (const [name, entry] of [
      ['remediator', 'functions/remediator/handler.ts'],
      ['launch-recorder', 'functions/launch-recorder/handler.ts'],
    ] as const) {
      const outfile = join(dir, `${name}.js`);
      const t0 = Date.now();
      await build({
        entryPoints: [join(ROOT, entry)],
        bundle: true,
        minify: true,
        platform: 'node',
        target: 'node22',
        format: 'cjs',
        outfile,
        logLevel: 'silent',
      });
      const buildMs = Date.now() - t0;
      const bytes = statSync(outfile).size;
      const gz = gzipSync(readFileSync(outfile)).length;
      const requireMs = execFileSync(
        process.execPath,
        [
          '-e',
          `const t=process.hrtime.bigint();require(${JSON.stringify(outfile)});console.log(Number(process.hrtime.bigint()-t)/1e6)`,
        ],
        {
          env: {
            ...process.env,
            AUDIT_TABLE_NAME: 'bench-table',
            AWS_REGION: 'us-east-1',
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          },
        },
      )
        .toString()
        .trim();
      console.log(
        `bundle ${name}: ${(bytes / 1024).toFixed(0)} KiB minified, ${(gz / 1024).toFixed(0)} KiB gzip, built in ${buildMs} ms, cold require ${Number(requireMs).toFixed(0)} ms`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${process.arch}`);
  await coreDecisions(Number(process.env.BENCH_EVENTS ?? 2000));
  await sandboxDemo();
  await bundles();
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
