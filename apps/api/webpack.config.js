const { appWebpackConfig } = require('../../tools/webpack/app-webpack.config');

module.exports = appWebpackConfig(__dirname, {
  additionalEntryPoints: [{ entryName: 'migrate', entryPath: './src/migrate.ts' }],
  // The dashboard's static page, served from dist/apps/api/dashboard.
  assets: [{ input: './src/dashboard/static', glob: '**/*', output: 'dashboard' }],
});
