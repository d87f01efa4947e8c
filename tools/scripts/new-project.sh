#!/usr/bin/env bash
# Creates the skeleton of a lib or app with the workspace's tsconfig/jest/eslint shape.
# usage: tools/scripts/new-project.sh lib|app <name> "<tag>,<tag>"
set -euo pipefail
kind=$1 name=$2 tags=$3
root=$([ "$kind" = lib ] && echo "libs/$name" || echo "apps/$name")
mkdir -p "$root/src"
tag_json=$(printf '%s' "$tags" | awk -F, '{for(i=1;i<=NF;i++) printf "%s\"%s\"", (i>1?", ":""), $i}')
cat > "$root/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "files": [],
  "include": [],
  "references": [{ "path": "./tsconfig.$kind.json" }, { "path": "./tsconfig.spec.json" }]
}
JSON
cat > "$root/tsconfig.$kind.json" <<JSON
{
  "extends": "./tsconfig.json",
  "compilerOptions": { "outDir": "../../dist/out-tsc", "types": ["node"] },
  "include": ["src/**/*.ts"],
  "exclude": ["jest.config.js", "src/**/*.spec.ts", "src/**/*.test.ts", "test/**/*.ts"]
}
JSON
cat > "$root/tsconfig.spec.json" <<JSON
{
  "extends": "./tsconfig.json",
  "compilerOptions": { "outDir": "../../dist/out-tsc", "types": ["jest", "node"], "allowJs": true },
  "include": ["jest.config.js", "src/**/*.ts", "test/**/*.ts"]
}
JSON
cat > "$root/jest.config.js" <<JS
module.exports = {
  displayName: '$name',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  transform: { '^.+\\\\.[tj]s\$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json', diagnostics: { warnOnly: false } }] },
  coverageDirectory: '../../coverage/$root',
};
JS
cat > "$root/eslint.config.mjs" <<'JS'
import baseConfig from '../../eslint.config.mjs';

export default [...baseConfig];
JS
if [ "$kind" = lib ]; then
cat > "$root/project.json" <<JSON
{
  "name": "$name",
  "\$schema": "../../node_modules/nx/schemas/project-schema.json",
  "sourceRoot": "$root/src",
  "projectType": "library",
  "tags": [$tag_json],
  "targets": {}
}
JSON
[ -f "$root/src/index.ts" ] || echo "export {};" > "$root/src/index.ts"
else
cat > "$root/project.json" <<JSON
{
  "name": "$name",
  "\$schema": "../../node_modules/nx/schemas/project-schema.json",
  "sourceRoot": "$root/src",
  "projectType": "application",
  "tags": [$tag_json],
  "targets": {
    "serve": {
      "executor": "@nx/js:node",
      "defaultConfiguration": "development",
      "dependsOn": ["build"],
      "options": { "buildTarget": "$name:build", "runBuildTargetDependencies": false },
      "configurations": { "development": { "buildTarget": "$name:build:development" } }
    }
  }
}
JSON
cat > "$root/webpack.config.js" <<'JS'
const { appWebpackConfig } = require('../../tools/webpack/app-webpack.config');

module.exports = appWebpackConfig(__dirname);
JS
fi
echo "created $root"
