# One image for the four apps; docker-compose picks the app with APP (api, monitor-worker, analysis-agent, code-agent).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY tools/scripts/npm-ci.sh tools/scripts/
RUN tools/scripts/npm-ci.sh
COPY . .
RUN npx nx run-many -t build --projects=api,monitor-worker,analysis-agent,code-agent

FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates bubblewrap && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY tools/scripts/npm-ci.sh tools/scripts/
RUN tools/scripts/npm-ci.sh --omit=dev
COPY --from=build /app/dist ./dist
USER node
CMD ["sh", "-c", "exec node dist/apps/${APP:-api}/main.js"]
