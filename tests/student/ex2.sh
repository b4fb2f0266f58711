#!/usr/bin/env bash
# Exercise 2, "Creating a Multi-Container Pod (Flask + MySQL)", steps 1 to 4 (my-flask-app:1.1 from
# `labctl prepare ex2`, as the course takes it from an earlier topic).
retry() { for _ in $(seq 90); do "$@" && return 0; sleep 1; done; return 1; }

# Step 1: cleanup first, errors expected.
podman pod rm -f db-app-pod
podman stop webapp database
podman rm webapp database
podman volume rm mysql_data
set -ex
podman pod create --name db-app-pod -p 8080:5000
podman pod ps

# Step 2
podman volume create mysql_data
podman volume ls | grep mysql_data
podman run -d --pod db-app-pod --name database \
    -v mysql_data:/var/lib/mysql \
    -e MYSQL_ROOT_PASSWORD=mysecretpassword \
    -e MYSQL_DATABASE=webappdb \
    mysql:8.0
# Course: wait for "ready for connections" in `podman logs -f database`.
retry podman exec database mysql -uroot -pmysecretpassword webappdb -e 'SELECT 1' >/dev/null
podman run -d --pod db-app-pod --name webapp \
    -e MYSQL_ROOT_PASSWORD=mysecretpassword \
    -e MYSQL_DATABASE=webappdb \
    -e GREETING="Pod App" \
    my-flask-app:1.1

# Step 3
podman pod ps
podman ps --pod
podman ps -a --pod
podman pod inspect db-app-pod
# Course: sleep 5, then curl.
retry curl -fsS http://localhost:8080

# Step 4. Course: `podman exec -it database mysql -uroot -pmysecretpassword webappdb`, then typing SQL.
podman exec database mysql -uroot -pmysecretpassword webappdb -e "
CREATE TABLE IF NOT EXISTS pod_test (id INT PRIMARY KEY, message VARCHAR(50));
INSERT INTO pod_test (id, message) VALUES (1, 'Hello from Pod!') ON DUPLICATE KEY UPDATE message='Hello again!';
SELECT * FROM pod_test;"
podman pod restart db-app-pod
# Course: sleep 15.
retry podman exec database mysql -uroot -pmysecretpassword webappdb -e "SELECT * FROM pod_test;"
