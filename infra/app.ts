/** CDK entry point (`cdk.json`: `npx tsx infra/app.ts`); the CLI synthesizes the app on exit. */
import { createRemediatorApp } from './app-factory';

createRemediatorApp();
