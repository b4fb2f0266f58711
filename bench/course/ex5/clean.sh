#!/usr/bin/env bash
# Exercise 5, step 5, as the course has it.
podman pod rm -f pid-share-pod >/dev/null
