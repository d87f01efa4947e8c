// Lets `npx jest` at the root run every project; CI goes through Nx (see README).
const { getJestProjectsAsync } = require('@nx/jest');

module.exports = async () => ({ projects: await getJestProjectsAsync() });
