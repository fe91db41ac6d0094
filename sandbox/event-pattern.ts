/**
 * EventBridge event-pattern matching for the sandbox.
 *
 * The semantics follow EventBridge and Event Ruler (the library EventBridge is built on), as
 * documented in shared/reference/eventbridge-patterns.md: arrays are OR, fields are AND, nested
 * objects descend into the event, a pattern field absent from the event fails unless its matcher
 * is `exists: false`, and arrays in the event match when any element matches. Validation rejects
 * what EventBridge's `PutRule` rejects, so a pattern that works here is also accepted there.
 *
 * Known differences from the service: numbers arrive here already parsed by `JSON.parse`, so
 * `300` and `3.0e2` are the same value (EventBridge compares their text); case folding uses
 * `toLowerCase`, not full Unicode case folding.
 */

/** A JSON event pattern, as passed to `PutRule`. */
export type EventPattern = Readonly<Record<string, unknown>>;

/** Thrown by {@link validatePattern} for syntax EventBridge would reject (`InvalidEventPatternException`). */
export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternError';
  constructor(
    /** Dotted path of the offending element, e.g. `detail.stoppedReason[1].prefix`. */
    readonly path: string,
    reason: string,
  ) {
    super(`Event pattern is not valid at ${path || '<root>'}: ${reason}`);
  }
}

/** EventBridge's limit on `PutRule.EventPattern` (characters). */
export const MAX_PATTERN_LENGTH = 4096;
/** EventBridge rejects patterns whose `$or` branches multiply to more combinations than this. */
export const MAX_OR_COMBINATIONS = 1000;
/** EventBridge documents numeric matching only within this magnitude. */
const NUMERIC_LIMIT = 5e9;

type Leaf = string | number | boolean | null;
type ValueTest = (value: Leaf) => boolean;

/** One element of a leaf array: tests the field's leaf values (absent field = no values). */
interface LeafMatcher {
  /** Whether the matcher accepts a field that has no leaf value at this path. */
  readonly matchesAbsent: boolean;
  readonly test: ValueTest;
}

interface ObjectNode {
  readonly kind: 'object';
  readonly fields: ReadonlyArray<readonly [string, ObjectNode | LeafNode]>;
  /** Each `$or` groups alternative sub-patterns evaluated at this same level. */
  readonly ors: ReadonlyArray<readonly ObjectNode[]>;
}

interface LeafNode {
  readonly kind: 'leaf';
  readonly matchers: readonly LeafMatcher[];
}

const compiledCache = new WeakMap<object, ObjectNode>();

/**
 * Validates a pattern with EventBridge's rules and throws {@link InvalidEventPatternError} on the
 * first problem (unknown operator, empty array or object, `**` in a wildcard, bad numeric range,
 * more than 4096 characters, too many `$or` combinations, ...).
 */
export function validatePattern(pattern: unknown): asserts pattern is EventPattern {
  compile(pattern);
}

/**
 * Whether `event` matches `pattern` (EventBridge semantics). Throws
 * {@link InvalidEventPatternError} if the pattern itself is invalid.
 */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  return matchObject(compile(pattern), event);
}

function compile(pattern: unknown): ObjectNode {
  if (!isPlainObject(pattern)) throw new InvalidEventPatternError('', 'Filter is not an object');
  const cached = compiledCache.get(pattern);
  if (cached) return cached;
  const length = JSON.stringify(pattern).length;
  if (length > MAX_PATTERN_LENGTH) {
    throw new InvalidEventPatternError(
      '',
      `pattern is ${length} characters; the limit is ${MAX_PATTERN_LENGTH}`,
    );
  }
  const node = compileObject(pattern, '');
  const combinations = countCombinations(node);
  if (combinations > MAX_OR_COMBINATIONS) {
    throw new InvalidEventPatternError(
      '',
      `$or results in ${combinations} rule combinations; the limit is ${MAX_OR_COMBINATIONS}`,
    );
  }
  compiledCache.set(pattern, node);
  return node;
}

function compileObject(obj: Record<string, unknown>, path: string): ObjectNode {
  const keys = Object.keys(obj);
  if (keys.length === 0) throw new InvalidEventPatternError(path, 'Empty objects are not allowed');
  const fields: Array<readonly [string, ObjectNode | LeafNode]> = [];
  const ors: ObjectNode[][] = [];
  for (const key of keys) {
    const value = obj[key];
    const childPath = path ? `${path}.${key}` : key;
    if (key === '$or') {
      ors.push(compileOr(value, childPath));
    } else if (Array.isArray(value)) {
      fields.push([key, compileLeaf(value, childPath)]);
    } else if (isPlainObject(value)) {
      fields.push([key, compileObject(value, childPath)]);
    } else {
      throw new InvalidEventPatternError(childPath, `"${key}" must be an object or an array`);
    }
  }
  return { kind: 'object', fields, ors };
}

function compileOr(value: unknown, path: string): ObjectNode[] {
  if (!Array.isArray(value))
    throw new InvalidEventPatternError(path, 'It must be an Array followed with $or.');
  const branches = value.map((branch, i) => {
    if (!isPlainObject(branch)) {
      throw new InvalidEventPatternError(
        `${path}[${i}]`,
        'Only JSON object is allowed in array of $or relationship.',
      );
    }
    return compileObject(branch, `${path}[${i}]`);
  });
  if (branches.length < 2) {
    throw new InvalidEventPatternError(path, 'There must have at least 2 Objects in $or relationship.');
  }
  return branches;
}

function compileLeaf(values: readonly unknown[], path: string): LeafNode {
  if (values.length === 0) throw new InvalidEventPatternError(path, 'Empty arrays are not allowed');
  const matchers = values.map((value, i) => compileLeafElement(value, `${path}[${i}]`));
  return { kind: 'leaf', matchers };
}

function present(test: ValueTest): LeafMatcher {
  return { matchesAbsent: false, test };
}

function compileLeafElement(value: unknown, path: string): LeafMatcher {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    return present((v) => v === value);
  }
  if (typeof value === 'number') {
    return present((v) => typeof v === 'number' && v === value);
  }
  if (!isPlainObject(value)) {
    throw new InvalidEventPatternError(path, 'Match value must be String, number, true, false, or null');
  }
  const keys = Object.keys(value);
  const [op] = keys;
  if (op === undefined) throw new InvalidEventPatternError(path, 'Match expression name not found');
  if (keys.length > 1) throw new InvalidEventPatternError(path, 'Only one key allowed in match expression');
  const arg = value[op];
  const opPath = `${path}.${op}`;
  switch (op) {
    case 'exact':
      return present(stringTest(requireString(arg, opPath, 'exact match pattern must be a string'), 'exact'));
    case 'prefix':
    case 'suffix':
      return present(compilePrefixOrSuffix(op, arg, opPath));
    case 'equals-ignore-case':
      return present(
        stringTest(
          requireString(arg, opPath, 'equals-ignore-case match pattern must be a string'),
          'exact',
          true,
        ),
      );
    case 'wildcard':
      return present(
        wildcardTest(requireString(arg, opPath, 'wildcard match pattern must be a string'), opPath),
      );
    case 'anything-but':
      return present(compileAnythingBut(arg, opPath));
    case 'exists':
      if (typeof arg !== 'boolean') {
        throw new InvalidEventPatternError(opPath, 'exists match pattern must be either true or false.');
      }
      // exists:false is the only matcher that accepts a missing field; exists:true accepts any leaf value.
      return arg ? present(() => true) : { matchesAbsent: true, test: () => false };
    case 'numeric':
      return present(compileNumeric(arg, opPath));
    case 'cidr':
      return present(compileCidr(arg, opPath));
    default:
      throw new InvalidEventPatternError(path, `Unrecognized match type ${op}`);
  }
}

function requireString(arg: unknown, path: string, message: string): string {
  if (typeof arg !== 'string') throw new InvalidEventPatternError(path, message);
  return arg;
}

type StringMode = 'exact' | 'prefix' | 'suffix';

function stringTest(expected: string, mode: StringMode, ignoreCase = false): ValueTest {
  const want = ignoreCase ? expected.toLowerCase() : expected;
  return (v) => {
    if (typeof v !== 'string') return false;
    const got = ignoreCase ? v.toLowerCase() : v;
    if (mode === 'prefix') return got.startsWith(want);
    if (mode === 'suffix') return got.endsWith(want);
    return got === want;
  };
}

/** `{"prefix": "x"}` or `{"prefix": {"equals-ignore-case": "x"}}` (same two forms for suffix). */
function compilePrefixOrSuffix(op: 'prefix' | 'suffix', arg: unknown, path: string): ValueTest {
  if (typeof arg === 'string') return stringTest(arg, op);
  if (isPlainObject(arg)) {
    const keys = Object.keys(arg);
    const inner = arg['equals-ignore-case'];
    if (keys.length === 1 && typeof inner === 'string') return stringTest(inner, op, true);
  }
  throw new InvalidEventPatternError(
    path,
    `${op} match pattern must be a string or {"equals-ignore-case": "<string>"}`,
  );
}

/**
 * `anything-but` forms: a string or number, a list of strings or of numbers (not mixed), or an
 * object with one of `prefix`, `suffix`, `equals-ignore-case`, `wildcard` (string or list of strings).
 * A value satisfies it when it does not satisfy the inner condition; an absent field never does.
 */
function compileAnythingBut(arg: unknown, path: string): ValueTest {
  if (typeof arg === 'string' || typeof arg === 'number') return (v) => v !== arg;
  if (Array.isArray(arg)) {
    if (arg.length === 0) throw new InvalidEventPatternError(path, 'Empty arrays are not allowed');
    const allStrings = arg.every((x) => typeof x === 'string');
    const allNumbers = arg.every((x) => typeof x === 'number');
    if (!allStrings && !allNumbers) {
      throw new InvalidEventPatternError(
        path,
        'Inside anything but list, either all values are number or string, mixed type is not supported',
      );
    }
    const excluded = new Set<unknown>(arg);
    return (v) => !excluded.has(v);
  }
  if (!isPlainObject(arg)) {
    throw new InvalidEventPatternError(
      path,
      'Value of anything-but must be an array or single string/number value.',
    );
  }
  const keys = Object.keys(arg);
  const [op] = keys;
  if (op === undefined) throw new InvalidEventPatternError(path, 'Anything-But expression name not found');
  if (keys.length > 1) throw new InvalidEventPatternError(path, 'Only one key allowed in match expression');
  const opPath = `${path}.${op}`;
  const texts = stringOrStringList(arg[op], opPath);
  let inner: ValueTest[];
  switch (op) {
    case 'prefix':
    case 'suffix':
      if (texts.some((t) => t.length === 0)) {
        throw new InvalidEventPatternError(opPath, 'Null prefix/suffix not allowed');
      }
      inner = texts.map((t) => stringTest(t, op));
      break;
    case 'equals-ignore-case':
      inner = texts.map((t) => stringTest(t, 'exact', true));
      break;
    case 'wildcard':
      inner = texts.map((t, i) => wildcardTest(t, `${opPath}[${i}]`));
      break;
    default:
      throw new InvalidEventPatternError(path, `Unsupported anything-but pattern: ${op}`);
  }
  // Non-string values can never satisfy a string condition, so anything-but accepts them.
  return (v) => !inner.some((t) => t(v));
}

function stringOrStringList(arg: unknown, path: string): string[] {
  if (typeof arg === 'string') return [arg];
  if (Array.isArray(arg) && arg.length > 0 && arg.every((x) => typeof x === 'string')) return arg;
  throw new InvalidEventPatternError(path, 'must be a string or a non-empty list of strings');
}

/**
 * `*` is any run of characters (also empty); `\*` is a literal star and `\\` a literal backslash.
 * Any other escape and consecutive `**` are rejected, as Event Ruler's WildcardParser does.
 */
function wildcardTest(text: string, path: string): ValueTest {
  let source = '^';
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (ch === '*') {
      if (text.charAt(i + 1) === '*') {
        throw new InvalidEventPatternError(path, `Consecutive wildcard characters at pos ${i}`);
      }
      source += '[\\s\\S]*';
    } else if (ch === '\\') {
      const next = text.charAt(i + 1);
      if (next !== '*' && next !== '\\')
        throw new InvalidEventPatternError(path, `Invalid escape character at pos ${i}`);
      source += escapeRegExp(next);
      i++;
    } else {
      source += escapeRegExp(ch);
    }
  }
  const regex = new RegExp(`${source}$`, 'u');
  return (v) => typeof v === 'string' && regex.test(v);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface Bound {
  readonly value: number;
  readonly inclusive: boolean;
}

/** `["=", n]`, or a lower bound (`>`/`>=`) and/or an upper bound (`<`/`<=`), lower first. */
function compileNumeric(arg: unknown, path: string): ValueTest {
  if (!Array.isArray(arg)) throw new InvalidEventPatternError(path, 'Value of numeric must be an array.');
  const terms: Array<readonly [string, number]> = [];
  for (let i = 0; i < arg.length; i += 2) {
    const op: unknown = arg[i];
    const num: unknown = arg[i + 1];
    if (typeof op !== 'string')
      throw new InvalidEventPatternError(path, `Invalid member in numeric match: ${String(op)}`);
    if (typeof num !== 'number' || !Number.isFinite(num)) {
      throw new InvalidEventPatternError(path, `Value of ${op} must be numeric`);
    }
    if (Math.abs(num) > NUMERIC_LIMIT) {
      throw new InvalidEventPatternError(path, `${num} is outside the supported range -5.0e9..5.0e9`);
    }
    terms.push([op, num]);
  }
  const [first, second, third] = terms;
  if (first === undefined) throw new InvalidEventPatternError(path, 'Empty numeric expression');
  if (third !== undefined)
    throw new InvalidEventPatternError(path, 'Too many terms in numeric range expression');
  if (first[0] === '=') {
    if (second !== undefined)
      throw new InvalidEventPatternError(path, 'Too many elements in numeric expression');
    const want = first[1];
    return (v) => typeof v === 'number' && v === want;
  }
  let lower: Bound | undefined;
  let upper: Bound | undefined;
  if (first[0] === '>' || first[0] === '>=') lower = { value: first[1], inclusive: first[0] === '>=' };
  else if (first[0] === '<' || first[0] === '<=') upper = { value: first[1], inclusive: first[0] === '<=' };
  else throw new InvalidEventPatternError(path, `Unrecognized numeric range operator: ${first[0]}`);
  if (second !== undefined) {
    if (upper !== undefined)
      throw new InvalidEventPatternError(path, 'Too many elements in numeric expression');
    if (second[0] !== '<' && second[0] !== '<=') {
      throw new InvalidEventPatternError(path, `Bad numeric range operator: ${second[0]}`);
    }
    upper = { value: second[1], inclusive: second[0] === '<=' };
    if (lower && lower.value >= upper.value) {
      throw new InvalidEventPatternError(path, 'Bottom must be less than top');
    }
  }
  const lo = lower;
  const hi = upper;
  return (v) => {
    if (typeof v !== 'number') return false;
    if (lo && (lo.inclusive ? v < lo.value : v <= lo.value)) return false;
    if (hi && (hi.inclusive ? v > hi.value : v >= hi.value)) return false;
    return true;
  };
}

interface IpAddress {
  readonly bits: 32 | 128;
  readonly value: bigint;
}

function compileCidr(arg: unknown, path: string): ValueTest {
  const text = requireString(arg, path, 'cidr match pattern must be a string');
  const parts = text.split('/');
  const [ipText, prefixText] = parts;
  const ip = ipText === undefined ? undefined : parseIp(ipText);
  if (parts.length !== 2 || !ip || prefixText === undefined || !/^\d{1,3}$/.test(prefixText)) {
    throw new InvalidEventPatternError(path, `Malformed CIDR, one '/' required: ${text}`);
  }
  const prefix = Number(prefixText);
  if (prefix > ip.bits) throw new InvalidEventPatternError(path, `Malformed CIDR prefix length: ${text}`);
  const hostBits = BigInt(ip.bits - prefix);
  const network = ip.value >> hostBits;
  return (v) => {
    if (typeof v !== 'string') return false;
    const candidate = parseIp(v);
    return candidate !== undefined && candidate.bits === ip.bits && candidate.value >> hostBits === network;
  };
}

function parseIp(text: string): IpAddress | undefined {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

function parseIpv4(text: string): IpAddress | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return { bits: 32, value };
}

function parseIpv6(text: string): IpAddress | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves[1] ? halves[1].split(':') : [];
  const groups = halves.length === 2 ? 8 - head.length - tail.length : 0;
  if (halves.length === 1 && head.length !== 8) return undefined;
  if (groups < 0 || (halves.length === 2 && groups < 1)) return undefined;
  const all = [...head, ...Array<string>(groups).fill('0'), ...tail];
  let value = 0n;
  for (const group of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(Number.parseInt(group, 16));
  }
  return { bits: 128, value };
}

function countCombinations(node: ObjectNode): number {
  let total = 1;
  for (const [, child] of node.fields) {
    if (child.kind === 'object') total *= countCombinations(child);
  }
  for (const branches of node.ors) {
    total *= branches.reduce((sum, branch) => sum + countCombinations(branch), 0);
  }
  return total;
}

function matchObject(node: ObjectNode, value: unknown): boolean {
  if (Array.isArray(value)) {
    const elements = value.flat(Number.POSITIVE_INFINITY);
    // An empty array carries no fields, exactly like an absent object.
    if (elements.length === 0) return matchObject(node, undefined);
    // All fields of one sub-pattern must be satisfied by the same array element (Ruler's array consistency).
    return elements.some((element) => matchObject(node, element));
  }
  const obj = isPlainObject(value) ? value : undefined;
  for (const [key, child] of node.fields) {
    const fieldValue = obj === undefined || !Object.hasOwn(obj, key) ? undefined : obj[key];
    const ok = child.kind === 'leaf' ? matchLeaf(child, fieldValue) : matchObject(child, fieldValue);
    if (!ok) return false;
  }
  return node.ors.every((branches) => branches.some((branch) => matchObject(branch, value)));
}

function matchLeaf(node: LeafNode, value: unknown): boolean {
  const leaves = leafValues(value);
  if (leaves.length === 0) return node.matchers.some((m) => m.matchesAbsent);
  return node.matchers.some((m) => leaves.some((leaf) => m.test(leaf)));
}

/** Leaf values at a path; objects are not leaves (Ruler flattens events to leaf paths). */
function leafValues(value: unknown): Leaf[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((element) => leafValues(element));
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  ) {
    return [value];
  }
  return [];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
