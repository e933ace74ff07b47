# tsvip container image (see docs/container.md).
#
# Base: Node 24 LTS on Debian 12 slim, pinned to a full version (maintained until April 2028; Node 20
# is past its end of life). The native code is prebuilt for Node-API, so no stage needs a compiler:
# koffi (the libc binding for VRRP's raw socket, ARP and the data path) and netlink ship binaries that
# work on every Node from 20 on.
# test/docker/dockerfile-steps.test.ts performs these steps on a machine without Docker.
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
# All dependencies (TypeScript is a dev dependency), without running scripts: `prepare` would build
# before the sources are here, and no dependency needs its install script (package.json allowScripts).
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts \
 && node -e 'require("koffi").load("libc.so.6"); require("netlink")'
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build
RUN npm prune --omit=dev

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY schema ./schema
RUN node bin/tsvip version
# root: VRRP (IP protocol 112) and ARP need raw sockets and the VIP needs rtnetlink, i.e. CAP_NET_RAW
# and CAP_NET_ADMIN. The static pod (`tsvip manifest pod`) runs it with hostNetwork and adds
# NET_ADMIN, NET_RAW and NET_BROADCAST; a non-root user would need file capabilities on node itself.
USER root
ENTRYPOINT ["node", "--max-semi-space-size=2", "/app/bin/tsvip"]
CMD ["--help"]
