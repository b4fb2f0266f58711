#!/usr/bin/env bash
# Exercise 2, step 5's cleanup, as the course has it.
podman pod rm -f db-app-pod >/dev/null
podman volume rm mysql_data >/dev/null
