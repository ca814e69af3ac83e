# syntax=docker/dockerfile:1
# Tidemark for cron, Kubernetes CronJobs and long-running schedulers. See docs/container.md.

FROM node:24-alpine AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the `prepare` script builds, and the sources are not copied yet.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build && npm pack --ignore-scripts --pack-destination /pkg

FROM node:24-alpine
RUN apk add --no-cache git
WORKDIR /opt/tidemark
COPY --from=build /pkg/ /tmp/pkg/
COPY package-lock.json ./
# The packed package (package.json `files`) plus production dependencies only. --ignore-scripts again: with
# dev dependencies omitted, `prepare` (tsc) could not run, and the build is already in the package.
RUN tar -xzf /tmp/pkg/tidemark-*.tgz -C /tmp/pkg \
 && cp -R /tmp/pkg/package/. . \
 && rm -rf /tmp/pkg \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force \
 && chmod +x dist/src/cli/cli.js \
 && ln -s /opt/tidemark/dist/src/cli/cli.js /usr/local/bin/tidemark
ENV NODE_ENV=production \
    TIDEMARK_CACHE_DIR=/home/node/.cache/tidemark
USER node
ENTRYPOINT ["tidemark"]
CMD ["run-all"]
