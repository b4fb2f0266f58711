#!/usr/bin/env bash
# Exercise 2, steps 1-3, as the course has them, up to the app answering (the course sleeps and
# watches logs; this polls). my-flask-app:1.1 exists (labctl builds it; the course has it from topic 5).
podman pod rm -f db-app-pod >/dev/null 2>&1; podman rm -f webapp database >/dev/null 2>&1
podman volume rm mysql_data >/dev/null 2>&1
set -e
podman pod create --name db-app-pod -p 8080:5000 >/dev/null
podman volume create mysql_data >/dev/null
podman run -d --pod db-app-pod --name database -v mysql_data:/var/lib/mysql \
  -e MYSQL_ROOT_PASSWORD=mysecretpassword -e MYSQL_DATABASE=webappdb mysql:8.0 >/dev/null
until podman exec database mysql -uroot -pmysecretpassword webappdb -e 'SELECT 1' >/dev/null 2>&1; do sleep 0.5; done
podman run -d --pod db-app-pod --name webapp -e MYSQL_ROOT_PASSWORD=mysecretpassword \
  -e MYSQL_DATABASE=webappdb -e GREETING="Pod App" my-flask-app:1.1 >/dev/null
until curl -fsS http://localhost:8080 >/dev/null 2>&1; do sleep 0.5; done
