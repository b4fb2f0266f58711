#!/usr/bin/env bash
# Exercise 1, steps 1-5, as the course has the student type them (the cleanup's errors ignored).
podman stop webserver client >/dev/null 2>&1 || true
podman rm webserver client >/dev/null 2>&1 || true
podman network rm my-web-net >/dev/null 2>&1 || true
podman network create my-web-net >/dev/null
podman run -d --network my-web-net --name webserver nginx:alpine >/dev/null
podman run -d --network my-web-net --name client alpine sleep infinity >/dev/null
podman ps >/dev/null
