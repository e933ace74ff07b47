#!/bin/sh
# Runs a command as on a fresh host with no Node and no node_modules. Meant to run under
# `unshare --mount --propagation private`, so that what it mounts is seen by that command alone:
# each file in TSVIP_HIDE_FILES (colon-separated) becomes an empty file, each directory in
# TSVIP_HIDE_DIRS an empty one, and with TSVIP_NOEXEC_TMP=1 /tmp allows no executable mappings (as
# hardened hosts mount it).
set -eu
old_ifs=$IFS
IFS=:
for file in ${TSVIP_HIDE_FILES:-}; do [ -e "$file" ] && mount --bind /dev/null "$file"; done
for dir in ${TSVIP_HIDE_DIRS:-}; do [ -d "$dir" ] && mount -t tmpfs -o size=1m tmpfs "$dir"; done
IFS=$old_ifs
if [ "${TSVIP_NOEXEC_TMP:-0}" = 1 ]; then
  mount --bind /tmp /tmp
  mount -o remount,bind,noexec /tmp
fi
# The point of it all: no Node can run here.
if node -e 0 >/dev/null 2>&1; then
  echo "without-node.sh: node still runs ($(command -v node)); hide it with TSVIP_HIDE_FILES" >&2
  exit 99
fi
exec "$@"
