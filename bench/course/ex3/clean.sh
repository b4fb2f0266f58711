#!/usr/bin/env bash
# Exercise 3, step 7, as the course has it.
podman pod rm -f text-app-pod >/dev/null
