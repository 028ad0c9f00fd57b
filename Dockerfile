# One image for the API and the worker (docker-compose.yml picks the command).
# Debian slim, not Alpine: the Temporal worker's native core ships for glibc only.
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: compile TypeScript to dist/ ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.json tsconfig.build.json ./
COPY domain ./domain
COPY workflows ./workflows
COPY activities ./activities
COPY records ./records
COPY letters ./letters
COPY worker ./worker
COPY api ./api
COPY config ./config
RUN npx tsc -p tsconfig.build.json
# The workflow code bundled once here (tsx is a dev dependency, present in this stage),
# so the worker loads dist/workflow-bundle.js instead of running webpack at every start.
COPY scripts/bundle-workflows.ts ./scripts/
RUN node --import tsx scripts/bundle-workflows.ts dist/workflow-bundle.js

# ---- deps: production node modules only ----
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error && npm cache clean --force

# ---- runtime ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist
COPY policy ./policy
COPY reference-data ./reference-data
# The shipped data files (also config/env.ts's defaults, spelled out for operators):
# mount a replacement file and point these at it to change policy or reference data.
ENV POLICY_FILE=/app/policy/default.json \
    CONTROL_LIST_FILE=/app/reference-data/control-list.json \
    RESTRICTED_PARTIES_FILE=/app/reference-data/restricted-parties.json
# The worker starts from the bundle the build stage wrote (it came with dist/ above);
# the API ignores it. Unset it to have the worker bundle dist/workflows at start.
ENV WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
# The official image's unprivileged user; the app writes nothing to disk.
USER node
EXPOSE 3000
CMD ["node", "dist/api/main.js"]
