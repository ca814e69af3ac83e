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
# Set by the release build (docker build --build-arg VERSION=… --build-arg REVISION=…); the defaults describe a local build.
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="Tidemark" \
      org.opencontainers.image.description="Keeps container images and Helm charts pinned in GitOps repositories current, through reviewed pull requests." \
      org.opencontainers.image.source="https://github.com/tidemark/tidemark" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
# git clones and pushes; openssh-client for ssh:// and git@ remotes; tini as PID 1 forwards SIGTERM to Tidemark and
# reaps the git and ssh children it leaves behind.
RUN apk add --no-cache git openssh-client tini \
 && addgroup -S -g 10001 tidemark \
 && adduser -S -D -u 10001 -G tidemark -h /home/tidemark -s /sbin/nologin tidemark \
 && mkdir -p /home/tidemark/.cache/tidemark \
 && chown -R 10001:10001 /home/tidemark
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
    HOME=/home/tidemark \
    TIDEMARK_CACHE_DIR=/home/tidemark/.cache/tidemark
# Numeric, so Kubernetes can check runAsNonRoot without reading the image's /etc/passwd. The user also exists by name
# (ssh refuses to run for a uid with no passwd entry).
USER 10001:10001
ENTRYPOINT ["/sbin/tini", "--", "tidemark"]
CMD ["run-all"]
