# tsvip container image (see docs/container.md).
#
# Base: Node 22 LTS on Debian 12 slim, pinned to a full version. Node 20 is past its end of life;
# Node 22 is maintained until April 2027. Not Node 24: raw-socket 1.8.1 pins nan 2.19, which does
# not compile against Node 24's V8 (no ObjectTemplate::SetAccessor, Isolate::IdleNotificationDeadline).
# Build and runtime use the same image: raw-socket's .node is built for that Node's ABI.
# test/docker/dockerfile-steps.test.ts performs these steps on a machine without Docker.
ARG NODE_IMAGE=node:22.23.3-bookworm-slim

FROM ${NODE_IMAGE} AS build
# node-gyp compiles raw-socket: python3, make and a C++ compiler; Node's headers come with the image.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
# All dependencies (TypeScript is a dev dependency), without running scripts: `prepare` would build
# before the sources are here. raw-socket's install step (node-gyp) then runs alone. The project .npmrc
# points node-gyp at /usr for the headers (a host without network); this image keeps them under
# /usr/local, so nodedir is taken from wherever this node lives. netlink and koffi ship prebuilt
# binaries and need no script (package.json allowScripts).
COPY package.json package-lock.json .npmrc ./
RUN export npm_config_nodedir="$(node -p 'path.resolve(process.execPath, "../..")')" \
 && npm ci --ignore-scripts \
 && npm rebuild raw-socket \
 && node -e 'require("raw-socket")'
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build
# Production dependencies only; raw-socket keeps the binary built above.
RUN npm prune --omit=dev

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY schema ./schema
RUN node bin/tsvip version && node -e 'require("raw-socket")'
# root: VRRP (IP protocol 112) and ARP need raw sockets and the VIP needs rtnetlink, i.e. CAP_NET_RAW
# and CAP_NET_ADMIN. The static pod (`tsvip manifest pod`) runs it with hostNetwork and adds
# NET_ADMIN, NET_RAW and NET_BROADCAST; a non-root user would need file capabilities on node itself.
USER root
ENTRYPOINT ["node", "--max-semi-space-size=2", "/app/bin/tsvip"]
CMD ["--help"]
