#!/usr/bin/env bash
# Exercise 5, steps 1-2, as the course has them.
podman pod rm -f pid-share-pod >/dev/null 2>&1; podman rm -f process-holder process-viewer >/dev/null 2>&1
set -e
podman pod create --name pid-share-pod --share pid >/dev/null
podman run -d --pod pid-share-pod --name process-holder alpine sleep 3600 >/dev/null
