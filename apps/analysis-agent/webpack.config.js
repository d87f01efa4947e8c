// eslint-disable-next-line @nx/enforce-module-boundaries -- build tooling shared by the apps, not application code
const { appWebpackConfig } = require('../../tools/webpack/app-webpack.config');

module.exports = appWebpackConfig(__dirname);
