import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lendToSandboxUser } from './lend-to-sandbox-user';

const NOBODY = { mode: 'user' as const, uid: 65534, gid: 65534 };
const isRoot = process.getuid?.() === 0;

describe('lendToSandboxUser', () => {
  let parent: string;
  let work: string;
  let outside: string;

  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), 'lend-parent-'));
    work = join(parent, 'work');
    mkdirSync(join(work, 'sub'), { recursive: true });
    writeFileSync(join(work, 'sub', 'tracked.txt'), 'tracked\n');
    outside = mkdtempSync(join(tmpdir(), 'lend-outside-'));
    writeFileSync(join(outside, 'service.env'), 'secret\n', { mode: 0o600 });
  });

  afterEach(() => {
    rmSync(parent, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('lends nothing in the modes that do not switch users', async () => {
    const owner = statSync(work).uid;
    for (const mode of ['none', 'bwrap'] as const) {
      const giveBack = await lendToSandboxUser([work], { mode, uid: 65534, gid: 65534 });
      expect(statSync(join(work, 'sub', 'tracked.txt')).uid).toBe(owner);
      await giveBack();
    }
    expect(statSync(parent).mode & 0o777).toBe(0o700);
  });

  (isRoot ? it : it.skip)('hands a tree to the sandbox user, who can then write in it, and everything back to its owner afterwards', async () => {
    const giveBack = await lendToSandboxUser([work], NOBODY);
    expect(statSync(join(work, 'sub', 'tracked.txt')).uid).toBe(65534);
    // The mkdtemp parent becomes reachable, not listable.
    expect(statSync(parent).mode & 0o777).toBe(0o701);

    const written = spawnSync('/bin/sh', ['-c', 'id -u > sub/made-by-sandbox && echo more >> sub/tracked.txt'], { cwd: work, uid: 65534, gid: 65534 });
    expect(written.status).toBe(0);
    expect(readFileSync(join(work, 'sub', 'made-by-sandbox'), 'utf8')).toBe('65534\n');

    await giveBack();
    for (const path of [work, join(work, 'sub'), join(work, 'sub', 'tracked.txt'), join(work, 'sub', 'made-by-sandbox')]) {
      expect({ path, uid: statSync(path).uid, gid: statSync(path).gid }).toEqual({ path, uid: 0, gid: 0 });
    }
  });

  (isRoot ? it : it.skip)('leaves a process the sandbox user keeps running no way to write into the tree it was lent', async () => {
    const giveBack = await lendToSandboxUser([work], NOBODY);
    const opened = spawnSync('/bin/sh', ['-c', 'mkdir open && chmod 2777 open && echo x > sub/open.txt && chmod 666 sub/open.txt && chmod 777 sub .'], { cwd: work, uid: 65534, gid: 65534 });
    expect(opened.status).toBe(0);
    await giveBack();

    for (const path of [work, join(work, 'sub'), join(work, 'open'), join(work, 'sub', 'open.txt')]) {
      expect({ path, groupOrOtherWrite: statSync(path).mode & 0o022, setId: statSync(path).mode & 0o6000 }).toEqual({ path, groupOrOtherWrite: 0, setId: 0 });
    }
    const later = spawnSync('/bin/sh', ['-c', 'echo y > open/planted; echo y > sub/planted; echo y >> sub/open.txt; mv sub gone'], { cwd: work, uid: 65534, gid: 65534, encoding: 'utf8' });
    expect(later.stderr.match(/Permission denied/g)).toHaveLength(4);
    expect(readFileSync(join(work, 'sub', 'open.txt'), 'utf8')).toBe('x\n');
  });

  (isRoot ? it : it.skip)('keeps a lent tree from every other uid while it is lent and after it is given back', async () => {
    const otherJob = () => spawnSync('/bin/cat', [join(work, 'sub', 'tracked.txt')], { uid: 61_099, gid: 61_099, encoding: 'utf8' });
    const giveBack = await lendToSandboxUser([work], NOBODY);
    try {
      expect(statSync(work).mode & 0o777).toBe(0o700);
      // Another job's sandbox user that knows the path (from the agent's argv, a listing of /tmp) cannot read in it.
      expect(otherJob().stderr).toContain('Permission denied');
    } finally {
      await giveBack();
    }
    expect(statSync(work).mode & 0o777).toBe(0o700);
    expect(otherJob().stderr).toContain('Permission denied');
  });

  (isRoot ? it : it.skip)('changes a symlink in the tree, never the file it points to', async () => {
    symlinkSync(join(outside, 'service.env'), join(work, 'link'));
    const giveBack = await lendToSandboxUser([work], NOBODY);
    try {
      expect(lstatSync(join(work, 'link')).uid).toBe(65534);
      expect(statSync(join(outside, 'service.env')).uid).toBe(0);
      const read = spawnSync('/bin/cat', ['link'], { cwd: work, uid: 65534, gid: 65534, encoding: 'utf8' });
      expect(read.status).not.toBe(0);
      expect(read.stdout).not.toContain('secret');
    } finally {
      await giveBack();
    }
  });

  (isRoot ? it : it.skip)('gives back the paths that still exist when one was removed meanwhile, and only once', async () => {
    const home = join(parent, 'home');
    mkdirSync(home);
    const giveBack = await lendToSandboxUser([work, home, home], NOBODY);
    rmSync(home, { recursive: true });
    await giveBack();
    await giveBack();
    expect(statSync(join(work, 'sub')).uid).toBe(0);
  });
});
