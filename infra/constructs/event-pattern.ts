/**
 * Converts a raw EventBridge pattern (the JSON the catalog builds) into the CDK's EventPattern,
 * so the synthesized rule carries exactly the catalog's pattern.
 */
import type { EventPattern } from 'aws-cdk-lib/aws-events';

type PatternList = string[];

const TOP_LEVEL_FIELDS = {
  source: 'source',
  'detail-type': 'detailType',
  detail: 'detail',
  account: 'account',
  region: 'region',
  resources: 'resources',
  id: 'id',
  time: 'time',
  version: 'version',
} as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Throws when the raw pattern has a field EventPattern cannot express. */
export function toEventPattern(raw: Record<string, unknown>): EventPattern {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(raw)) {
    if (!(field in TOP_LEVEL_FIELDS)) {
      throw new Error(`event pattern field '${field}' is not an EventBridge envelope field`);
    }
    const key = TOP_LEVEL_FIELDS[field as keyof typeof TOP_LEVEL_FIELDS];
    if (key === 'detail') {
      if (!isRecord(value)) throw new Error("event pattern field 'detail' must be an object");
      out[key] = value;
    } else {
      if (!Array.isArray(value)) throw new Error(`event pattern field '${field}' must be an array`);
      out[key] = value as PatternList;
    }
  }
  return out as EventPattern;
}
