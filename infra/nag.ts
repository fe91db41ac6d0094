/** cdk-nag rule packs run on every synth; a violation fails `cdk synth` (and `app.synth()` in tests). */
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { Construct } from 'constructs';

/** Adds the AwsSolutions and Serverless packs to the app (or stage). */
export function addNagPacks(app: Construct): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
}
