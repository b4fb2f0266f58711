"""my-flask-app 1.1: the Flask app of the course's Exercise 2 (from an earlier topic).

GET / answers "<GREETING> from Container ID <id>! Visits: <n>", counting visits in MySQL on
localhost:3306 (the database container in the same pod). The database may not be ready yet when
the app starts, or may be restarting with the pod: the app waits for it instead of crashing.
"""

import os
import re
import signal
import socket
import sys
import time

import pymysql
from flask import Flask

app = Flask(__name__)

GREETING = os.environ.get("GREETING", "Hello")
DB = {
    "host": os.environ.get("MYSQL_HOST", "127.0.0.1"),
    "port": int(os.environ.get("MYSQL_PORT", "3306")),
    "user": os.environ.get("MYSQL_USER", "root"),
    "password": os.environ.get("MYSQL_PASSWORD") or os.environ.get("MYSQL_ROOT_PASSWORD", ""),
    "database": os.environ.get("MYSQL_DATABASE", "webappdb"),
    "connect_timeout": 3,
    "autocommit": True,
}
DB_WAIT_SECONDS = int(os.environ.get("DB_WAIT_SECONDS", "60"))


def container_id() -> str:
    """This container's ID. In a pod the hostname is the pod's name, so look where Podman shows the ID."""
    for path, pattern in (
        ("/run/.containerenv", r'^id="([0-9a-f]{64})"'),
        ("/proc/self/mountinfo", r"overlay-containers/([0-9a-f]{64})/userdata"),
        ("/proc/self/cgroup", r"([0-9a-f]{64})"),
    ):
        try:
            with open(path, encoding="utf-8") as handle:
                match = re.search(pattern, handle.read(), re.MULTILINE)
        except OSError:
            continue
        if match:
            return match.group(1)[:12]
    return socket.gethostname()


CONTAINER_ID = container_id()


def connect():
    """A connection to the database, retrying until it is ready or the deadline passes."""
    deadline = time.monotonic() + DB_WAIT_SECONDS
    while True:
        try:
            return pymysql.connect(**DB)
        except pymysql.err.OperationalError as exc:
            if time.monotonic() > deadline:
                raise
            print(f"database not ready yet ({exc.args[-1]}), retrying", flush=True)
            time.sleep(1)


def count_visit() -> int:
    with connect() as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS visits (id INT PRIMARY KEY, count INT NOT NULL)")
        cur.execute("INSERT INTO visits (id, count) VALUES (1, 1) ON DUPLICATE KEY UPDATE count = count + 1")
        cur.execute("SELECT count FROM visits WHERE id = 1")
        return cur.fetchone()[0]


@app.route("/")
def index():
    try:
        visits = count_visit()
    except pymysql.err.MySQLError as exc:
        return f"{GREETING} from Container ID {CONTAINER_ID}! Database not reachable: {exc}\n", 503
    return f"{GREETING} from Container ID {CONTAINER_ID}! Visits: {visits}\n"


@app.route("/health")
def health():
    """Ready when the database answers; does not count as a visit."""
    try:
        with connect() as conn, conn.cursor() as cur:
            cur.execute("SELECT 1")
    except pymysql.err.MySQLError as exc:
        return f"database not reachable: {exc}\n", 503
    return "ok\n"


def stop(signum, _frame):
    # As PID 1 the app would ignore SIGTERM and every stop would wait Podman's 10 s timeout.
    print(f"received signal {signum}, shutting down", flush=True)
    sys.exit(0)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, stop)
    print(f"my-flask-app 1.1 on port 5000, container {CONTAINER_ID}", flush=True)
    app.run(host="0.0.0.0", port=5000)
