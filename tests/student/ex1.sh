#!/usr/bin/env bash
# Exercise 1, "Container Communication via Custom Network", steps 1 to 7.
# shellcheck disable=SC2015
retry() { for _ in $(seq 30); do "$@" && return 0; sleep 1; done; return 1; }

# 1. Aufräumen (Vorher): errors are expected when nothing is there.
podman stop webserver client
podman rm webserver client
podman network rm my-web-net
set -ex
# 2.
podman network create my-web-net
podman network ls
# 3.
podman run -d --network my-web-net --name webserver nginx:alpine
# 4.
podman run -d --network my-web-net --name client alpine sleep infinity
# 5.
podman ps
# 6. Course: `podman exec client apk add --no-cache curl`, then `podman exec client curl http://webserver`.
retry podman exec client wget -q -O - http://webserver | grep 'Welcome to nginx'
# 7.
podman network inspect my-web-net
