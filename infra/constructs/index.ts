/** The reusable construct and its parts, for other CDK apps. */
export * from './eni-remediator';
export * from './eni-remediator-props';
export * from './remediator-monitoring';
export * from './remediator-permissions';
