# syntax=docker/dockerfile:1
# sendpulse-monitor image: the CLI as entrypoint, `run` as the default command.
# Checked without a Docker engine by test/docker/replay-dockerfile.sh, which replays these steps.

# Node 24 LTS, pinned to an exact release so a rebuild is the same image.
ARG NODE_IMAGE=node:24.11.1-bookworm-slim

# --- build: dev dependencies and the TypeScript compiler, thrown away afterwards
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# --- deps: production dependencies only
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- final: compiled code and production dependencies, nothing else
FROM ${NODE_IMAGE}
# tini as PID 1 forwards SIGTERM to node and reaps children (the demo starts redis-server).
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/package.json /app/package-lock.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# Files stay owned by root and the process runs as another numeric user, so it cannot change its
# own code; nothing is written at run time, so a read-only root filesystem works.
USER 10001:10001
EXPOSE 9464
# node, not curl: the slim image has no curl. /healthz says the process lives.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 9464) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/dist/src/cli/index.js"]
CMD ["run"]
