import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectTestCommand } from './test-command';

describe('detectTestCommand', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'detect-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const write = async (file: string, content: string) => {
    await mkdir(join(dir, file, '..'), { recursive: true });
    await writeFile(join(dir, file), content);
  };

  it('uses the package.json test script, installing dependencies first with the lockfile tool', async () => {
    await write('package.json', JSON.stringify({ scripts: { test: 'jest' }, devDependencies: { jest: '^30' } }));
    await write('package-lock.json', '{}');
    expect(detectTestCommand(dir)).toEqual({ display: 'npm test', argv: ['npm', 'test'], setup: [['npm', 'ci', '--no-audit', '--no-fund']] });
  });

  it('ignores the placeholder script npm init writes', async () => {
    await write('package.json', JSON.stringify({ scripts: { test: 'echo "Error: no test specified" && exit 1' } }));
    expect(detectTestCommand(dir)).toBeNull();
  });

  it('finds pytest, go test, cargo test and a Makefile test target', async () => {
    await write('tests/test_app.py', 'def test_x(): pass\n');
    expect(detectTestCommand(dir)?.display).toBe('python3 -m pytest -q');
    await rm(join(dir, 'tests'), { recursive: true });
    await write('go.mod', 'module x\n');
    expect(detectTestCommand(dir)?.display).toBe('go test ./...');
    await rm(join(dir, 'go.mod'));
    await write('Cargo.toml', '[package]\n');
    expect(detectTestCommand(dir)?.display).toBe('cargo test');
    await rm(join(dir, 'Cargo.toml'));
    await write('Makefile', 'build:\n\tcc x.c\n\ntest: build\n\t./x --selftest\n');
    expect(detectTestCommand(dir)).toEqual({ display: 'make test', argv: ['make', 'test'], setup: [] });
  });

  it('returns null for a repository without tests', async () => {
    await write('README.md', '# nothing to test');
    expect(detectTestCommand(dir)).toBeNull();
  });
});
