// Stages report progress through a Reporter they are handed; only the CLI decides how it looks.

export interface Reporter {
  /** `done` units of `unit` processed in `stage` (of `total`, when known). Cheap to call often. */
  progress(stage: string, done: number, total?: number, unit?: string): void;
  /** A stage finished; the line is final. */
  done(stage: string, summary: string): void;
  /** Something the user should know that is not an error (e.g. a retried network call). */
  warn(message: string): void;
}

export const silentReporter: Reporter = {
  progress() {},
  done() {},
  warn() {},
};
