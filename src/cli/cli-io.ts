/** Where a command reads its input and writes its output; the binary passes the process's streams. */
export type CliIo = {
  /** Standard input, line by line (produce reads it). */
  lines(): AsyncIterable<string>;
  /** A line of output. */
  out(line: string): void;
  /** A line of diagnostics (what went wrong, dry-run notes). */
  err(line: string): void;
  /** Resolves when the user asks a following command (consume --follow) to stop (Ctrl-C). */
  interrupted: Promise<void>;
};
