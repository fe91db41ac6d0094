/**
 * Pagination tokens of `audit list`. A listing may span several Query partitions (one per outcome
 * and day), so the token holds which query of the plan to resume, DynamoDB's LastEvaluatedKey in it,
 * the resolved time range (so `--since 24h` means the same on every page) and a fingerprint of the
 * filters: a token used with other filters is refused instead of silently resuming somewhere else.
 * Encoded as base64url JSON, opaque to users.
 */
import { UsageError } from './cli-errors';
import type { TimeRange } from './time-range';

/** Where the next page starts. */
export interface PageCursor {
  /** Index of the query in the plan. */
  readonly query: number;
  /** DynamoDB's LastEvaluatedKey for that query; absent to start it from the beginning. */
  readonly key?: Record<string, unknown>;
  /** Fingerprint of the filters the cursor belongs to. */
  readonly plan: string;
  /** The range of the first page. */
  readonly range: TimeRange;
}

/** Encodes a cursor as an opaque `--next-token`. */
export function encodeNextToken(cursor: PageCursor): string {
  const payload = {
    v: 1,
    p: cursor.plan,
    s: cursor.range.since,
    u: cursor.range.until,
    q: cursor.query,
    ...(cursor.key ? { k: cursor.key } : {}),
  };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

const INVALID = 'the --next-token is not one this command printed: copy it whole, or drop it to start again';

/** Decodes a `--next-token`; it must belong to the same filters. */
export function decodeNextToken(token: string, plan: string): PageCursor {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(token.trim(), 'base64url').toString('utf8'));
  } catch (err) {
    throw new UsageError(INVALID, { cause: err });
  }
  const p = payload as { v?: unknown; p?: unknown; s?: unknown; u?: unknown; q?: unknown; k?: unknown };
  const keyOk = p.k === undefined || (typeof p.k === 'object' && p.k !== null && !Array.isArray(p.k));
  if (
    typeof payload !== 'object' ||
    payload === null ||
    p.v !== 1 ||
    typeof p.p !== 'string' ||
    typeof p.s !== 'string' ||
    typeof p.u !== 'string' ||
    typeof p.q !== 'number' ||
    !Number.isInteger(p.q) ||
    p.q < 0 ||
    !keyOk
  ) {
    throw new UsageError(INVALID);
  }
  if (p.p !== plan) {
    throw new UsageError(
      'the --next-token belongs to another listing: repeat the same --cluster/--outcome/--family ' +
        '(the token carries the time range), or drop the token to start again',
    );
  }
  return {
    plan: p.p,
    query: p.q,
    key: p.k as Record<string, unknown> | undefined,
    range: { since: p.s, until: p.u },
  };
}
