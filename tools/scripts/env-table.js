#!/usr/bin/env node
// Writes the README's configuration table from .env.example, the one place every variable is
// documented. `--check` fails (for CI) when the README is out of date instead of writing it.
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '../..');
const START = '<!-- config-table:start -->';
const END = '<!-- config-table:end -->';

function rows() {
  const out = [];
  let section = '';
  for (const raw of readFileSync(join(root, '.env.example'), 'utf8').split('\n')) {
    const heading = raw.match(/^# --- (.+?) -+$/);
    if (heading) {
      section = heading[1];
      continue;
    }
    // `NAME=value  # note` or a commented-out optional `# NAME=value  # note`
    const m = raw.match(/^(#\s*)?([A-Z][A-Z0-9_]+)=(.*)$/);
    if (!m) {
      // A continuation comment under the previous variable.
      const more = raw.match(/^\s+#\s*(.+)$/);
      if (more && out.length) out[out.length - 1].note += ` ${more[1].trim()}`;
      continue;
    }
    const [, commented, name, rest] = m;
    const hash = rest.search(/\s#\s/);
    const value = (hash >= 0 ? rest.slice(0, hash) : rest).trim();
    const note = hash >= 0 ? rest.slice(hash).replace(/^\s*#\s*/, '').trim() : '';
    out.push({ section, name, value: commented ? '' : value, note: commented && value ? `${note} (e.g. \`${value}\`)`.trim() : note });
  }
  return out;
}

function table() {
  const esc = (s) => s.replace(/\|/g, '\\|');
  const lines = ['| app | variable | default | what it does |', '|---|---|---|---|'];
  for (const r of rows()) lines.push(`| ${r.section} | \`${r.name}\` | ${r.value ? `\`${esc(r.value)}\`` : '—'} | ${esc(r.note)} |`);
  return lines.join('\n');
}

const readmePath = join(root, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const start = readme.indexOf(START);
const end = readme.indexOf(END);
if (start < 0 || end < 0) {
  console.error(`README.md lacks the ${START} … ${END} markers`);
  process.exit(1);
}
const updated = `${readme.slice(0, start + START.length)}\n${table()}\n${readme.slice(end)}`;
if (process.argv.includes('--check')) {
  if (updated !== readme) {
    console.error('README.md configuration table is out of date: run `node tools/scripts/env-table.js`');
    process.exit(1);
  }
  console.log('README.md configuration table matches .env.example');
} else {
  writeFileSync(readmePath, updated);
}
