#!/usr/bin/env bash
# Exercise 5, "Sharing the PID Namespace (--share pid)", steps 1 to 4: process-holder ends Exited,
# killed from another container, which is the exercise done.

# Step 1: cleanup first, errors expected.
podman pod rm -f pid-share-pod
podman rm -f process-holder process-viewer
set -ex
podman pod create --name pid-share-pod --share pid

# Step 2
podman run -d --pod pid-share-pod --name process-holder alpine sleep 3600

# Step 3
podman run --rm --pod pid-share-pod --name process-viewer alpine ps aux

# Step 4: the student reads the PID of `sleep 3600` off the list; a script finds it the same way.
PID=$(podman run --rm --pod pid-share-pod --name process-viewer-again alpine ps aux | awk '/sleep 3600/ && !/awk/ {print $1; exit}')
test -n "$PID"
podman run --rm --pod pid-share-pod alpine kill "$PID"
for _ in $(seq 20); do podman ps --filter name=process-holder --all --format '{{.Status}}' | grep -q Exited && break; sleep 0.5; done
podman ps --filter name=process-holder --all
