import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type App, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { createRemediatorApp } from '../../infra/app-factory';
import { NO_BUNDLING } from './synth';

const ACKNOWLEDGED = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;

function unacknowledged(app: Construct): string[] {
  return [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
    pack
      .validateScope(app)
      .violations.flatMap((v) =>
        v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath ?? '?'}`),
      ),
  );
}

function appWith(settings: Record<string, unknown>): App {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'eni-nag-'));
  const context: Record<string, unknown> = { ...NO_BUNDLING };
  for (const [key, value] of Object.entries(settings)) context[`eniRemediator:${key}`] = value;
  return createRemediatorApp({ context, outdir }).app;
}

const configurations: [string, Record<string, unknown>][] = [
  ['the cdk.json defaults', {}],
  [
    'every narrowing setting and an alert e-mail',
    {
      clusterAllowList: ['jobs', 'ci'],
      familyAllowList: ['nightly', 'etl'],
      passRoleArns: ['arn:aws:iam::111122223333:role/jobs-*', 'arn:aws:iam::111122223333:role/exec'],
      alertEmail: 'oncall@example.com',
    },
  ],
  ['an existing alert topic', { alertTopicArn: 'arn:aws:sns:eu-west-1:111122223333:ops' }],
];

describe('cdk-nag (AwsSolutions and Serverless packs)', () => {
  test.each(configurations)(
    '%s: the app synthesizes with zero unacknowledged findings',
    (_name, settings) => {
      const app = appWith(settings);
      expect(unacknowledged(app)).toEqual([]);
      // The gate itself: cdk-nag 3 makes synth throw on any violation.
      expect(() => app.synth()).not.toThrow();
    },
  );

  test('the gate works: an unencrypted queue without TLS enforcement fails synth', () => {
    const app = appWith({});
    const stack = app.node.children.find((c) => c.node.id === 'EniRemediator') as Construct;
    new Queue(stack, 'Careless');
    expect(unacknowledged(app)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^AwsSolutions-SQS4 at EniRemediator\/Careless/)]),
    );
    expect(() => app.synth()).toThrow();
  });

  test('every acknowledgement names one rule (and finding) and gives a concrete reason', () => {
    const app = appWith({});
    const acks = app.node
      .findAll()
      .flatMap((c) =>
        c.node.metadata.filter((m) => m.type === ACKNOWLEDGED).map((m) => m.data as Record<string, string>),
      )
      .flatMap((data) => Object.entries(data));
    expect(acks.length).toBeGreaterThan(0);
    for (const [id, reason] of acks) {
      expect(id).toMatch(/(AwsSolutions|Serverless)-[A-Za-z0-9]+(\[.+\])?$/);
      expect(reason.length).toBeGreaterThan(60);
    }
    // IAM5 is only ever acknowledged per finding (the resource), never as a whole rule.
    expect(acks.filter(([id]) => /AwsSolutions-IAM5$/.test(id))).toEqual([]);
  });
});
