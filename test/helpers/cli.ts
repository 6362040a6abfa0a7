/** Runs `bodylens analyze ...` in this process and captures what it prints. */
import { runAnalyzeCommand } from '../../src/cli/analyze.js';

export async function captureAnalyze(argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => lines.push(args.join(' '));
  try {
    return { code: await runAnalyzeCommand(argv), out: lines.join('\n') };
  } finally {
    console.log = log;
  }
}
