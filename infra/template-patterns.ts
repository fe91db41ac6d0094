/**
 * Reads the rule patterns back out of a synthesized template (Template.toJSON() or a
 * cdk.out/*.template.json), so tests and the sandbox's event bus can apply exactly what deploys.
 */

/** The event patterns of the two rules, as deployed. */
export interface RulePatterns {
  /** The ENI failure rule (ECS Task State Change), targeting the remediator. */
  readonly eniFailure: Record<string, unknown>;
  /** The CloudTrail RunTask rule, targeting the launch recorder. */
  readonly runTaskCloudTrail: Record<string, unknown>;
}

const DETAIL_TYPES = {
  eniFailure: 'ECS Task State Change',
  runTaskCloudTrail: 'AWS API Call via CloudTrail',
} as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Finds the two rules by their `detail-type`; throws unless each appears exactly once. */
export function extractRulePatterns(template: unknown): RulePatterns {
  const resources = isRecord(template) && isRecord(template.Resources) ? template.Resources : undefined;
  if (resources === undefined) throw new Error('not a CloudFormation template: no Resources object');
  const patterns = Object.values(resources)
    .filter((r): r is Record<string, unknown> => isRecord(r) && r.Type === 'AWS::Events::Rule')
    .map((r) => (isRecord(r.Properties) ? r.Properties.EventPattern : undefined))
    .filter(isRecord);
  const find = (kind: keyof typeof DETAIL_TYPES): Record<string, unknown> => {
    const detailType = DETAIL_TYPES[kind];
    const matching = patterns.filter(
      (p) => Array.isArray(p['detail-type']) && p['detail-type'].includes(detailType),
    );
    const [only] = matching;
    if (matching.length !== 1 || only === undefined) {
      throw new Error(`expected exactly one rule with detail-type '${detailType}', found ${matching.length}`);
    }
    return only;
  };
  return { eniFailure: find('eniFailure'), runTaskCloudTrail: find('runTaskCloudTrail') };
}

/** The ENI failure rule's pattern from a synthesized template. */
export function synthesizedEniPattern(template: unknown): Record<string, unknown> {
  return extractRulePatterns(template).eniFailure;
}
