/**
 * The SDK's published types (`connect.d.ts`), generated from its source so they cannot drift:
 * TypeScript's declaration emit of the entry (connect.ts), in memory. The entry keeps its whole
 * public surface in itself, so the result is one self-contained file; an import left in it (a
 * public type moved to another module) fails the build rather than ship a file that points
 * nowhere.
 *
 * @example
 * fs.writeFileSync('dist/sdk/connect.d.ts', sdkDeclarations('web/src/sdk/connect.ts'));
 */
import path from 'node:path';
import ts from 'typescript';

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
  types: [],
  strict: true,
  skipLibCheck: true,
  allowImportingTsExtensions: true,
  declaration: true,
  emitDeclarationOnly: true,
  removeComments: false,
};

export function sdkDeclarations(entry: string): string {
  const file = path.resolve(entry);
  const program = ts.createProgram([file], OPTIONS);
  const problems = ts.getPreEmitDiagnostics(program);
  let output: string | undefined;
  const emitted = program.emit(program.getSourceFile(file), (name, text) => {
    if (name.endsWith('.d.ts')) output = text;
  }, undefined, true);
  const errors = [...problems, ...emitted.diagnostics].filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0 || output === undefined) {
    throw new Error(`The SDK's types could not be generated:\n${ts.formatDiagnostics(errors, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => '\n' })}`);
  }
  const imports = output.split('\n').filter((line) => /^\s*(import|export .* from)\b/.test(line));
  if (imports.length > 0) throw new Error(`The SDK's public types must all be declared in ${path.basename(file)}; its declarations import: ${imports.join('; ')}`);
  return `/** Types of \`@patchbay/connect\` (served at /sdk/connect.d.ts). Generated from web/src/sdk/${path.basename(file)} by web/src/sdk/build.ts (npm run build:web): do not edit. */\n${output}`;
}
