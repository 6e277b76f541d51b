/** Option values the resource commands share: `name=value` pairs and secrets read from a file. */
import fs from 'node:fs';
import { InvalidArgumentError } from 'commander';

/** Repeatable `--<option> name=value`, collected into an object. */
export const pair =
  (option: string) =>
  (value: string, previous: Record<string, string> = {}): Record<string, string> => {
    const at = value.indexOf('=');
    if (at < 1) throw new InvalidArgumentError(`${option} must look like name=value`);
    return { ...previous, [value.slice(0, at).trim()]: value.slice(at + 1) };
  };

/** Repeatable option collected into a list. */
export const repeat = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * A secret given as is, or `@file` to read it from a file (its trailing newline dropped), so it
 * need not sit in the shell's history.
 */
export const secret = (option: string) => (value: string) => {
  if (!value.startsWith('@')) return value;
  try {
    return fs.readFileSync(value.slice(1), 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new InvalidArgumentError(`${option}: cannot read ${value.slice(1)} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
};

/** A `name=value` pair's values read as secrets (`name=@file`). */
export const secretPair = (option: string) => {
  const read = secret(option);
  const collect = pair(option);
  return (value: string, previous: Record<string, string> = {}) => {
    const [name, raw] = Object.entries(collect(value))[0]!;
    return { ...previous, [name]: read(raw) };
  };
};
