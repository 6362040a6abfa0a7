#!/usr/bin/env node
import { loadConfig } from '../config.js';
import { runAnalyzeCommand } from './analyze.js';
import { runAppsCommand } from './apps.js';

const USAGE = `usage: bodylens <command> ...

  analyze <api> <image> [--render out.png]           analyse a photo without a server (analyze --help
                                                     lists the APIs)
  analyze pose <image|video> [--render out]          Kakao Pose results for a photo or video
  apps create|list|show|update|revoke|rotate-secret|usage|private-usage ...
                                                     manage apps (API key / secret key, limits, usage;
                                                     private-usage: the private dialect's calls)
  serve                                              start the HTTP service (same as npm start)`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'analyze':
      return runAnalyzeCommand(rest);
    case 'apps':
      return runAppsCommand(rest, loadConfig());
    case 'serve': {
      const { startServer, stopOnSignals } = await import('../server.js');
      const config = loadConfig();
      stopOnSignals(await startServer(config), config.shutdownTimeoutMs);
      return -1; // keeps running
    }
    default:
      console.error(USAGE);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
