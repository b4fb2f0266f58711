#!/bin/sh
# Containers have no init system: never let a package's maintainer scripts
# start its service during "apt-get install".
exit 101
