/**
 * The README's CLI table is a promise: every command it shows exists (its `--help` answers with
 * that command's usage) and takes every option the table shows for it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/process.ts';

const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

interface Shown {
  /** The command path, e.g. ['keys', 'list']. */
  command: string[];
  /** The options the table shows with it. */
  options: string[];
  text: string;
}

/** Every command of the CLI table: each code span of a row's first cell; `list` after `endpoints create …` is `endpoints list`. */
export function commandsInReadme(markdown: string, topLevel: readonly string[]): Shown[] {
  const start = markdown.indexOf('| command | what it does |');
  if (start < 0) throw new Error('the README has no CLI table');
  const rows = markdown.slice(start).split('\n').slice(2);
  const shown: Shown[] = [];
  for (const row of rows) {
    if (!row.startsWith('|')) break;
    const firstCell = row.slice(1).split(/(?<!\\)\|/)[0]!;
    let group: string | undefined;
    for (const span of firstCell.matchAll(/`([^`]+)`/g)) {
      const text = span[1]!.replace(/\\\|/g, '|');
      const words = text.split(/\s+/);
      const command: string[] = [];
      for (const word of words) {
        if (!/^[a-z][a-z-]*$/.test(word)) break;
        command.push(word);
      }
      if (command.length === 0) continue;
      if (topLevel.includes(command[0]!)) group = command[0];
      else if (group) command.unshift(group);
      else throw new Error(`"${text}" names no command`);
      shown.push({ command, options: [...text.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]), text });
    }
  }
  return shown;
}

const MAIN = pathToFileURL(path.join(ROOT, 'src/cli/main.ts')).href;
let runs = 0;

/**
 * `patchbay <args> --help`, run by the CLI's own entry module: evaluated afresh for each command
 * (a new program, as a new process would build) with its argv, its output and exit code captured.
 * In-process because ~70 commands spawned one by one take minutes on two busy cores.
 */
async function help(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const argv = process.argv;
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  let stdout = '';
  let stderr = '';
  process.argv = [process.execPath, 'patchbay', ...args, '--help'];
  process.exitCode = undefined;
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  try {
    await import(`${MAIN}?run=${++runs}`);
  } finally {
    process.argv = argv;
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
  const code = process.exitCode ?? 0;
  process.exitCode = undefined;
  return { code: Number(code), stdout, stderr };
}

describe("the README's CLI table", () => {
  it('shows only commands that exist, each with options its --help lists', async () => {
    const root = await help([]);
    expect(root.code).toBe(0);
    const commandsSection = root.stdout.slice(root.stdout.indexOf('Commands:'));
    const topLevel = [...commandsSection.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]!).filter((name) => name !== 'help');
    expect(topLevel).toContain('serve');

    const shown = commandsInReadme(readme, topLevel);
    expect(shown.length).toBeGreaterThan(20);
    const unique = [...new Map(shown.map((s) => [s.command.join(' '), s])).values()];
    // One at a time: each run swaps the process's argv and output.
    const answers: Awaited<ReturnType<typeof help>>[] = [];
    for (const s of unique) answers.push(await help(s.command));
    const problems: string[] = [];
    unique.forEach((s, i) => {
      const answer = answers[i]!;
      const usage = `Usage: patchbay ${s.command.join(' ')} `;
      if (answer.code !== 0 || !answer.stdout.startsWith(usage)) {
        problems.push(`\`${s.text}\`: \`patchbay ${s.command.join(' ')} --help\` did not show its usage (exit ${answer.code}): ${(answer.stdout + answer.stderr).split('\n')[0]}`);
        return;
      }
      for (const option of shown.filter((o) => o.command.join(' ') === s.command.join(' ')).flatMap((o) => o.options)) {
        if (!new RegExp(`(^|[\\s,])${option}([\\s,=]|$)`, 'm').test(answer.stdout)) problems.push(`\`${s.text}\`: \`patchbay ${s.command.join(' ')}\` has no ${option}`);
      }
    });
    expect(problems).toEqual([]);
  }, 300_000);

  it('reads a row the way a person does', () => {
    const table = ['| command | what it does |', '| --- | --- |', '| `keys list --org SLUG [--env NAME]`, `keys revoke ID --org SLUG` | x |', '| `event-types create NAME [--schema JSON]`, `list`, `show NAME` | y |', '| `serve [--role all\\|api\\|worker]` | z |', ''].join('\n');
    expect(commandsInReadme(table, ['keys', 'event-types', 'serve']).map((s) => [s.command.join(' '), s.options.join(' ')])).toEqual([
      ['keys list', '--org --env'],
      ['keys revoke', '--org'],
      ['event-types create', '--schema'],
      ['event-types list', ''],
      ['event-types show', ''],
      ['serve', '--role'],
    ]);
  });
});
