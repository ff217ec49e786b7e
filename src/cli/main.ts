#!/usr/bin/env node
// The `tributary` binary: runs runCli on the process's arguments and standard streams.
import readline from 'node:readline';
import type { CliIo } from './cli-io.js';
import { runCli } from './run-cli.js';

const io: CliIo = {
  lines: () => readline.createInterface({ input: process.stdin, crlfDelay: Infinity }),
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
  interrupted: new Promise((resolve) => process.once('SIGINT', () => resolve())),
};

process.exitCode = await runCli(process.argv.slice(2), io);
