/**
 * The public shape of the Cline runner, shared by analysis-agent (plan mode) and code-agent
 * (act/yolo mode). The implementation spawns the pinned `cline` CLI; see README of this lib.
 */

/** `plan`: read-only analysis (`--plan`). `act`: may edit files and run commands (`--yolo`). */
export type ClineMode = 'plan' | 'act';

/** How the run ended. Only `completed` is a success (exit 0 and run_result.finishReason "completed"). */
export type ClineOutcome = 'completed' | 'error' | 'aborted' | 'timed_out' | 'cancelled' | 'spawn_failed';

export interface ClineProviderSettings {
  /** e.g. `anthropic`, `openai`, `openai-compatible`, `openrouter`. */
  provider: string;
  model: string;
  /** The provider's API key; passed to the CLI through the environment only. */
  apiKey?: string;
  /** For OpenAI-compatible endpoints (configured with `cline auth … -b URL` before the run). */
  baseUrl?: string;
}

/** One structured log event made from a line of the CLI's NDJSON output (already redacted). */
export interface ClineLogEvent {
  ts: string;
  kind: 'agent_event' | 'run_result' | 'stderr' | 'unparsed' | 'runner';
  /** Tool the agent used (read_file, write_to_file, execute_command, …), when known. */
  tool?: string;
  /** Short human-readable line for the live log. */
  message: string;
  /** Truncated input/output of a tool call. */
  detail?: string;
}

export interface ClineRunOptions {
  mode: ClineMode;
  /** Repository checkout the agent works in (`-c`). */
  workdir: string;
  /** The task; one argv element after `--`. Large context goes in `contextFiles`, named in the prompt. */
  prompt: string;
  /** The runner owns the deadline (the CLI's own -t does nothing in one-shot runs). */
  timeoutMs: number;
  provider: ClineProviderSettings;
  /**
   * Files or directories outside the checkout the agent may read (e.g. the incident context file).
   * Under a sandbox nothing else outside the checkout is visible (bwrap) or readable (user).
   */
  readable?: string[];
  /**
   * Parent of this run's temp dir (CLI config and data, HOME; the provider key for base-URL
   * providers), instead of the runner's `tempRoot`: a job's workspace, so the dir is removed with
   * it, also when a killed process never got to remove it. Must not be inside `workdir`.
   */
  tempRoot?: string;
  /**
   * `user` sandbox: the uid/gid this run is the agent as, instead of the runner's own; a job
   * passes the identity it leased from a SandboxUidPool, so that concurrent jobs never share one.
   * Ignored in the other modes.
   */
  sandboxUser?: { uid: number; gid: number };
  /** Extra environment for the agent (never the service's own secrets). */
  env?: Record<string, string>;
  /** Values to scrub from every event and error message, besides credential-shaped strings. */
  redact?: string[];
  onEvent?: (event: ClineLogEvent) => void;
  /** Aborting cancels the run (SIGINT to the process group, SIGKILL after a grace period). */
  signal?: AbortSignal;
}

export interface ClineRunResult {
  outcome: ClineOutcome;
  /** The final `run_result.text` (the agent's answer), empty when there was none. */
  text: string;
  exitCode: number | null;
  signal: string | null;
  /** Last part of stderr, ANSI stripped and redacted: the error message when the run failed. */
  stderrTail: string;
  durationMs: number;
  eventCount: number;
  /** Why a run that did not complete failed, in one redacted sentence (absent on success). */
  error?: string;
}
