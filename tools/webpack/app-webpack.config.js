const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { join, relative } = require('path');

/**
 * The webpack build every app shares: a Node bundle of the app and the libs it imports, with
 * node_modules left external, into dist/<app root>. `extra` adds entry points or assets.
 */
function appWebpackConfig(appDir, extra = {}) {
  const root = relative(join(__dirname, '../..'), appDir);
  return {
    output: { path: join(__dirname, '../../dist', root), clean: true },
    devtool: 'source-map',
    plugins: [
      new NxAppWebpackPlugin({
        target: 'node',
        compiler: 'tsc',
        main: './src/main.ts',
        tsConfig: './tsconfig.app.json',
        optimization: false,
        outputHashing: 'none',
        generatePackageJson: false,
        sourceMap: true,
        ...extra,
      }),
    ],
  };
}

module.exports = { appWebpackConfig };
