#!/usr/bin/env bash
# Clean install from package-lock.json, with npm 10.
#
# Why not the machine's npm 11: `cline` lists native builds for every platform as optional
# dependencies, and some of them (e.g. @cline/cli-darwin-arm64) are not served by the registry
# this project installs from. npm 11.19 then rejects the lockfile it wrote itself as "out of
# sync" (npm/cli#9846); npm 10 installs the same lockfile exactly, skipping what it cannot use.
set -euo pipefail
cd "$(dirname "$0")/../.."
npx -y npm@10.9.9 ci --no-audit --no-fund "$@"
# cline's postinstall caches its native binary as node_modules/cline/bin/.cline; make sure it ran.
node node_modules/cline/postinstall.mjs >/dev/null
