/** What every command shares: running an action with exit codes, and parsing option values. */
import fs from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { EXIT, fail } from './output.ts';

/** Runs a command's action; its result (or failure) becomes the process's exit code. */
export async function act(fn: () => Promise<number | void>): Promise<void> {
  try {
    process.exitCode = (await fn()) ?? EXIT.ok;
  } catch (err) {
    process.exitCode = fail(err);
  }
}

export const whole = (name: string) => (value: string) => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number`);
  return Number(value);
};

export const decimal = (name: string) => (value: string) => {
  if (!/^\d+(\.\d+)?$/.test(value)) throw new InvalidArgumentError(`${name} must be a number`);
  return Number(value);
};

/** `a,b , c` → ['a', 'b', 'c']. */
export const list = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** A JSON object given on the command line, or `@file` to read it from a file. */
export const jsonObject = (name: string) => (value: string) => {
  let text = value;
  if (value.startsWith('@')) {
    try {
      text = fs.readFileSync(value.slice(1), 'utf8');
    } catch (err) {
      throw new InvalidArgumentError(`${name}: cannot read ${value.slice(1)} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidArgumentError(`${name} must be a JSON object, e.g. '{"id": 1}' (or @file.json)`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InvalidArgumentError(`${name} must be a JSON object, not ${Array.isArray(parsed) ? 'an array' : String(parsed)}`);
  return parsed as Record<string, unknown>;
};

/** Repeatable `--header Name=value`. */
export const header = (value: string, previous: Record<string, string> = {}) => {
  const at = value.indexOf('=');
  if (at < 1) throw new InvalidArgumentError('--header must look like Name=value');
  return { ...previous, [value.slice(0, at).trim()]: value.slice(at + 1) };
};

/** Drops undefined values, so a body carries only what was given. */
export const defined = <T extends Record<string, unknown>>(value: T): Partial<T> => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;

/** `key  value` lines for one object. */
export function fields(value: Record<string, unknown>, keys: string[]): string {
  const width = Math.max(...keys.map((k) => k.length)) + 2;
  return keys.map((k) => `${k.padEnd(width)}${show(value[k])}`).join('\n');
}

const show = (v: unknown): string => (v === null || v === undefined ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v));
