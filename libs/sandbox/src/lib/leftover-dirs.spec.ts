import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeLeftoverDirs } from './leftover-dirs';

const HOUR = 3_600_000;

describe('removeLeftoverDirs (a real directory)', () => {
  let parent: string;

  beforeEach(() => (parent = mkdtempSync(join(tmpdir(), 'leftovers-'))));
  afterEach(() => rmSync(parent, { recursive: true, force: true }));

  function age(path: string, ageMs: number): void {
    const then = new Date(Date.now() - ageMs);
    utimesSync(path, then, then);
  }

  /** A run's directory as a killed process leaves it, last changed `ageMs` ago. */
  function runDir(name: string, ageMs: number, bytes = 100): string {
    const root = join(parent, name);
    mkdirSync(join(root, 'data', 'settings'), { recursive: true });
    writeFileSync(join(root, 'data', 'settings', 'providers.json'), 'k'.repeat(bytes), { mode: 0o600 });
    age(root, ageMs);
    return root;
  }

  it('removes old directories with the prefix and reports their size, keeping young, foreign-prefixed and in-use ones', async () => {
    const old = runDir('epitrace-cline-fix-aaaaaa', 7 * HOUR, 2048);
    const young = runDir('epitrace-cline-fix-bbbbbb', HOUR);
    const otherApp = runDir('epitrace-cline-analysis-cccccc', 7 * HOUR);
    const inUse = runDir('epitrace-cline-fix-dddddd', 7 * HOUR);

    const result = await removeLeftoverDirs({ parent, prefix: 'epitrace-cline-fix-', olderThanMs: 6 * HOUR, inUse: (name) => name.endsWith('dddddd') });

    expect(result).toEqual({ removed: [old], bytes: 2048, failed: [] });
    expect(existsSync(old)).toBe(false);
    for (const kept of [young, otherApp, inUse]) expect(existsSync(kept)).toBe(true);
  });

  it('never follows or removes a symlink or a file named like a run directory', async () => {
    const elsewhere = runDir('not-a-leftover', 7 * HOUR);
    symlinkSync(elsewhere, join(parent, 'epitrace-cline-fix-link00'));
    writeFileSync(join(parent, 'epitrace-cline-fix-file00'), 'x');
    age(join(parent, 'epitrace-cline-fix-file00'), 7 * HOUR);

    expect(await removeLeftoverDirs({ parent, prefix: 'epitrace-cline-fix-', olderThanMs: 6 * HOUR })).toEqual({ removed: [], bytes: 0, failed: [] });
    expect(existsSync(join(elsewhere, 'data', 'settings', 'providers.json'))).toBe(true);
  });

  (process.getuid?.() === 0 ? it : it.skip)("leaves alone a directory that is not the service user's", async () => {
    const planted = runDir('epitrace-cline-fix-eeeeee', 7 * HOUR);
    chownSync(planted, 65534, 65534);
    age(planted, 7 * HOUR);
    expect((await removeLeftoverDirs({ parent, prefix: 'epitrace-cline-fix-', olderThanMs: 6 * HOUR })).removed).toEqual([]);
    expect(existsSync(planted)).toBe(true);
  });

  it('finds nothing to do when the parent does not exist yet', async () => {
    rmSync(parent, { recursive: true });
    expect(await removeLeftoverDirs({ parent, prefix: 'epitrace-', olderThanMs: HOUR })).toEqual({ removed: [], bytes: 0, failed: [] });
  });
});
