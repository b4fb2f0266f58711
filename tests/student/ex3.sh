#!/usr/bin/env bash
# Exercise 3, "3-Tier Pod (Text API, Frontend, Logger Sidecar) with Healthchecks", steps 3 to 5.
# Steps 1-2 (the files in api/ and frontend/) come from `labctl prepare ex3`, in the current folder.
retry() { for _ in $(seq 60); do "$@" && return 0; sleep 1; done; return 1; }
set -ex

# 3. Build the images (Docker format, so that HEALTHCHECK stays)
podman build --format docker -t my-text-api:latest ./api
podman build --format docker -t my-text-frontend:latest ./frontend
podman images | grep my-text-

# 4. Cleanup first, errors expected
set +e
podman pod rm -f text-app-pod
podman rm -f text-api text-frontend text-logger
set -e
podman pod create --name text-app-pod -p 8089:80
podman run -d --pod text-app-pod --name text-api my-text-api:latest
podman run -d --pod text-app-pod --name text-frontend my-text-frontend:latest
podman run -d --pod text-app-pod --name text-logger alpine /bin/sh -c "while true; do echo Logger: \$(date); sleep 10; done"
# Course: sleep 20, then look. Without systemd nothing runs the healthchecks: the course's own
# troubleshooting command `podman healthcheck run` does, until they pass.
retry podman healthcheck run text-api
retry podman healthcheck run text-frontend
podman pod ps
podman ps --pod --filter status=running
podman ps --pod --filter health=unhealthy

# 5. Test the application (the course opens http://localhost:8089 in a browser)
retry curl -fsS http://localhost:8089/ | grep 'Text Frontend'
retry curl -fsS http://localhost:8089/api/text
podman logs text-logger
