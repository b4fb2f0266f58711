#!/usr/bin/env bash
# Exercise 4, steps 1-2, as the course has them.
podman pod rm -f limited-pod >/dev/null 2>&1; podman rm -f limited-c1 limited-c2 >/dev/null 2>&1
set -e
podman pod create --name limited-pod --memory 200m --cpus 1.0 -p 8082:80 >/dev/null
podman run -d --pod limited-pod --name limited-c1 alpine sleep infinity >/dev/null
podman run -d --pod limited-pod --name limited-c2 alpine sleep infinity >/dev/null
