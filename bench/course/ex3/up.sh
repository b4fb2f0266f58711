#!/usr/bin/env bash
# Exercise 3, steps 3-4, as the course has them, from labctl's copy of the course's files; the
# images are cached from an earlier build, and the wait is a poll of the course's own healthcheck
# command instead of `sleep 20`.
files=$(dirname "$0")/../../../roles/ex3_three_tier/files
podman pod rm -f text-app-pod >/dev/null 2>&1; podman rm -f text-api text-frontend text-logger >/dev/null 2>&1
set -e
podman build -q --format docker -t my-text-api:latest "$files/api" >/dev/null 2>&1
podman build -q --format docker -t my-text-frontend:latest "$files/frontend" >/dev/null 2>&1
podman pod create --name text-app-pod -p 8089:80 >/dev/null
podman run -d --pod text-app-pod --name text-api my-text-api:latest >/dev/null
podman run -d --pod text-app-pod --name text-frontend my-text-frontend:latest >/dev/null
podman run -d --pod text-app-pod --name text-logger alpine /bin/sh -c "while true; do echo Logger: \$(date); sleep 10; done" >/dev/null
until podman healthcheck run text-api >/dev/null 2>&1 && podman healthcheck run text-frontend >/dev/null 2>&1; do sleep 0.5; done
until curl -fsS http://localhost:8089/api/text >/dev/null 2>&1; do sleep 0.5; done
