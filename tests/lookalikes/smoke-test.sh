#!/bin/bash
# Functional checks of the stand-in images (run after build.py).
# Creates containers/volumes/pods/images named lst-smoke-* only and removes
# exactly those (by name) on exit.  Needs network access to deb.debian.org
# and PyPI for the python child build.  Usage: tests/lookalikes/smoke-test.sh
set -uo pipefail
PODMAN=${LABCTL_STANDIN_PODMAN:-podman}
P=lst-smoke
fails=0
ok() { echo "ok   - $*"; }
bad() { echo "FAIL - $*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi; }
tmp=$(mktemp -d)

cleanup() {
    local c
    for c in $P-alpine $P-web $P-db; do $PODMAN rm -f -t 0 "$c" >/dev/null 2>&1; done
    $PODMAN pod rm -f -t 0 $P-pod >/dev/null 2>&1
    $PODMAN volume rm $P-dbdata >/dev/null 2>&1
    for c in $P-frontend $P-py; do $PODMAN rmi "$c" >/dev/null 2>&1; done
    rm -rf "$tmp"
}
trap cleanup EXIT
cleanup

wait_for() { # wait_for SECONDS CMD...
    local n=$1; shift
    for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
    return 1
}

echo "# alpine"
check "sh -c echo" test "$($PODMAN run --rm alpine sh -c 'echo hi')" = hi
check "default CMD is /bin/sh" test "$($PODMAN image inspect -f '{{json .Config.Cmd}}' alpine)" = '["/bin/sh"]'
$PODMAN run -d --name $P-alpine alpine sleep 3600 >/dev/null
check "ps aux lists sleep 3600" sh -c "$PODMAN exec $P-alpine ps aux | grep -q '^ *1 .*sleep 3600'"
# (not as PID 1: PID 1 ignores SIGTERM, in the real alpine image too)
check "sleep infinity" $PODMAN run --rm alpine sh -c 'timeout 2 sleep infinity; test $? = 143'
check "kill/date/cat/grep/head" $PODMAN exec $P-alpine sh -c 'sleep 60 & kill $! && date && echo a | cat | grep a | head -1'
check "wget -T" $PODMAN exec $P-alpine wget -q -T 10 -O /dev/null http://deb.debian.org/debian/dists/bookworm/Release
check "nslookup" $PODMAN exec $P-alpine nslookup deb.debian.org

echo "# nginx"
$PODMAN run -d --name $P-web -p 18080:80 nginx:alpine >/dev/null
check "curl shows Welcome to nginx!" wait_for 10 sh -c "curl -s localhost:18080 | grep -q '<h1>Welcome to nginx!</h1>'"
check "50x.html" sh -c "curl -s localhost:18080/50x.html | grep -q 'An error occurred'"
check "pgrep/wget/sh inside" $PODMAN exec $P-web sh -c 'pgrep nginx && wget -q -T 5 -O - http://localhost/ | grep -q Welcome'
check "access log on stdout" sh -c "$PODMAN logs $P-web 2>/dev/null | grep -q 'GET / HTTP'"
check "1.25-alpine is the same image" test "$($PODMAN image inspect -f '{{.Id}}' nginx:alpine)" = "$($PODMAN image inspect -f '{{.Id}}' nginx:1.25-alpine)"
check "StopSignal SIGQUIT" test "$($PODMAN image inspect -f '{{.Config.StopSignal}}' nginx:alpine)" = SIGQUIT
mkdir -p "$tmp/frontend"
cat >"$tmp/frontend/nginx.conf" <<'EOF'
upstream backend { server 127.0.0.1:5000; }
server {
    listen 80;
    location / { root /usr/share/nginx/html; index index.html; }
    location /api/ { proxy_pass http://backend; }
}
EOF
printf 'FROM nginx:alpine\nRUN rm /etc/nginx/conf.d/default.conf\nCOPY nginx.conf /etc/nginx/conf.d/default.conf\n' >"$tmp/frontend/Containerfile"
check "ex3-style frontend build + nginx -t" sh -c "$PODMAN build -q -t $P-frontend $tmp/frontend && $PODMAN run --rm $P-frontend nginx -t"

echo "# mysql"
check "image /var/lib/mysql is empty" test -z "$($PODMAN run --rm --entrypoint ls mysql:8.0 -A /var/lib/mysql)"
$PODMAN volume create $P-dbdata >/dev/null
$PODMAN pod create --name $P-pod >/dev/null
$PODMAN run -d --pod $P-pod --name $P-db -v $P-dbdata:/var/lib/mysql \
    -e MYSQL_ROOT_PASSWORD=mysecretpassword -e MYSQL_DATABASE=webappdb mysql:8.0 >/dev/null
check "ready for connections" wait_for 60 sh -c "$PODMAN logs $P-db 2>&1 | grep -q 'ready for connections.*' && $PODMAN logs $P-db 2>&1 | grep -q 'port: 3306'"
check "exec mysql ... webappdb -e 'SELECT 1'" $PODMAN exec $P-db mysql -uroot -pmysecretpassword webappdb -e 'SELECT 1'
$PODMAN exec $P-db mysql -uroot -pmysecretpassword webappdb -e 'CREATE TABLE t (i INT); INSERT INTO t VALUES (42)' >/dev/null 2>&1
check "TCP 127.0.0.1:3306 from another container in the pod" \
    $PODMAN run --rm --pod $P-pod mysql:8.0 mysql -h127.0.0.1 -P3306 -uroot -pmysecretpassword webappdb -e 'SELECT i FROM t'
check "SIGTERM stop exits 0" sh -c "$PODMAN stop -t 30 $P-db && test \"\$($PODMAN inspect -f '{{.State.ExitCode}}' $P-db)\" = 0"
$PODMAN start $P-db >/dev/null
check "data persists after restart" wait_for 60 sh -c "$PODMAN exec $P-db mysql -uroot -pmysecretpassword webappdb -N -e 'SELECT i FROM t' | grep -qx 42"

echo "# python"
mkdir -p "$tmp/py"
echo 'PyMySQL>=1.1' >"$tmp/py/requirements.txt"
cat >"$tmp/py/Containerfile" <<'EOF'
FROM python:3.12-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
RUN pip install --no-cache-dir 'Flask>=2.3' 'Flask-CORS>=4.0'
EOF
if $PODMAN build -q -t $P-py "$tmp/py" >"$tmp/py.log" 2>&1; then
    ok "child build: apt-get install curl, pip install -r, Flask, Flask-CORS"
    check "python/pip in /usr/local/bin" $PODMAN run --rm $P-py sh -c 'test "$(command -v python)" = /usr/local/bin/python && test "$(command -v pip)" = /usr/local/bin/pip && python -c "import flask, flask_cors"'
    check "PyMySQL to localhost:3306 in the pod" $PODMAN run --rm --pod $P-pod $P-py python -c \
        "import pymysql; c = pymysql.connect(host='localhost', port=3306, user='root', password='mysecretpassword', database='webappdb'); c.cursor().execute('SELECT 1')"
else
    bad "child build (see below)"; tail -20 "$tmp/py.log"
fi

echo
if [ "$fails" = 0 ]; then echo "all checks passed"; else echo "$fails check(s) FAILED"; fi
exit $((fails > 0))
