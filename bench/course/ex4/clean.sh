#!/usr/bin/env bash
# Exercise 4, step 4, as the course has it.
podman pod rm -f limited-pod >/dev/null
