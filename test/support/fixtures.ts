/** Fixture loading: JSON files under test/fixtures, parsed fresh (so a cloned copy) on every call. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(__dirname, '..', 'fixtures');

export function loadJson<T = unknown>(...path: string[]): T {
  return JSON.parse(readFileSync(join(FIXTURES, ...path), 'utf8')) as T;
}

export function fixtureExists(...path: string[]): boolean {
  return existsSync(join(FIXTURES, ...path));
}

/** Every case folder under test/fixtures/cases (drop in a folder to add a case). */
export function caseNames(): string[] {
  return readdirSync(join(FIXTURES, 'cases'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** Every event file under test/fixtures/events. */
export function eventFileNames(): string[] {
  return readdirSync(join(FIXTURES, 'events'))
    .filter((f) => f.endsWith('.json'))
    .sort();
}
