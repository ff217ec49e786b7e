import { TributaryError } from '../index.js';

/** The command line asks for something the CLI does not take (unknown command or option, missing argument). Exit code 2. */
export class CliUsageError extends TributaryError {
  constructor(message: string) {
    super('CLI_USAGE', message);
  }
}
