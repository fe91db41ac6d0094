/**
 * Builds the CDK app: settings from context, the stack, and the cdk-nag packs. Shared by
 * infra/app.ts (the `cdk` entry point) and the infra tests, so tests check what deploys.
 */
import { App, type AppProps } from 'aws-cdk-lib';
import { settingsFromContext } from './context-settings';
import { addNagPacks } from './nag';
import { RemediatorStack } from './remediator-stack';

export interface RemediatorApp {
  readonly app: App;
  readonly stack: RemediatorStack;
}

/** Creates the app with its one stack; `props.context` overrides cdk.json (tests use it). */
export function createRemediatorApp(props: AppProps = {}): RemediatorApp {
  const app = new App(props);
  addNagPacks(app);
  const settings = settingsFromContext(app);
  const stack = new RemediatorStack(app, settings.stackName, {
    remediator: settings.props,
    alertTopicArn: settings.alertTopicArn,
  });
  return { app, stack };
}
