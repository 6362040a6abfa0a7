import { statSync } from 'node:fs';

/**
 * Why an input file given on the command line cannot be read, or undefined when it can: checked
 * before any model loads, so a typo answers at once and names the file (not 282000 "internal error").
 */
export function inputFileProblem(path: string): string | undefined {
  try {
    if (statSync(path).isDirectory()) return `input is a directory, not a file: ${path}`;
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return `input file not found: ${path}`;
    if (code === 'EACCES' || code === 'EPERM') return `input file not readable (permission denied): ${path}`;
    return `cannot read input file ${path}: ${(err as Error).message}`;
  }
}

/** Prints the problem as `bodylens: ...` and returns exit code 2, or returns undefined when the file is readable. */
export function refuseMissingInput(path: string): number | undefined {
  const problem = inputFileProblem(path);
  if (!problem) return undefined;
  console.error(`bodylens: ${problem}`);
  return 2;
}
