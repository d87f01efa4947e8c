import { Writable } from 'node:stream';

/** One parsed JSON log line (pino's fields plus whatever the line carried). */
export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

/**
 * A pino destination that keeps every line, so a test can assert on what an app logged (that a
 * secret never appears, that a line carries the ids it concerns). TEST_LOGS=1 echoes to stderr.
 */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  private partial = '';

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    const text = this.partial + chunk.toString();
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts.filter(Boolean));
    if (process.env['TEST_LOGS'] === '1') process.stderr.write(chunk);
    done();
  }

  /** The lines as objects (lines that are not JSON are skipped). */
  parsed(): LogLine[] {
    const out: LogLine[] = [];
    for (const line of this.lines) {
      try {
        out.push(JSON.parse(line) as LogLine);
      } catch {
        /* not a JSON line */
      }
    }
    return out;
  }
}
