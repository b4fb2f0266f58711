#!/usr/bin/env bash
# Exercise 1, step 8, as the course has it.
podman stop webserver client >/dev/null
podman rm webserver client >/dev/null
podman network rm my-web-net >/dev/null
