#!/bin/bash
# docker-entrypoint.sh of the labctl mysql:8.0 stand-in (MariaDB underneath).
#
# Mimics the official image: on an empty datadir initialise it, set the root
# password (MYSQL_ROOT_PASSWORD / MYSQL_ALLOW_EMPTY_PASSWORD /
# MYSQL_RANDOM_ROOT_PASSWORD, also *_FILE variants) for root@localhost and
# root@'%' (MYSQL_ROOT_HOST), create MYSQL_DATABASE and MYSQL_USER /
# MYSQL_PASSWORD, run /docker-entrypoint-initdb.d/*.{sh,sql,sql.gz}, then
# exec the server in the foreground (PID 1, so SIGTERM shuts it down
# cleanly).  A non-empty datadir is used as is.
set -eo pipefail
shopt -s nullglob

mysql_log() {
    local type=$1; shift
    printf '%s [%s] [Entrypoint]: %s\n' "$(date --rfc-3339=seconds)" "$type" "$*"
}
mysql_note() { mysql_log Note "$@"; }
mysql_warn() { mysql_log Warn "$@" >&2; }
mysql_error() { mysql_log ERROR "$@" >&2; exit 1; }

# file_env VAR [DEFAULT]: VAR or the contents of the file named by VAR_FILE
file_env() {
    local var=$1 fvar="${1}_FILE" def=${2:-} val
    if [ -n "${!var:-}" ] && [ -n "${!fvar:-}" ]; then
        mysql_error "both $var and $fvar are set (but are exclusive)"
    fi
    val=$def
    if [ -n "${!var:-}" ]; then
        val=${!var}
    elif [ -n "${!fvar:-}" ]; then
        val=$(<"${!fvar}")
    fi
    export "$var=$val"
    unset "$fvar"
}

# SQL string literal / identifier quoting
sql_str() { local s=${1//\\/\\\\}; s=${s//\'/\\\'}; printf "'%s'" "$s"; }
sql_ident() { printf '`%s`' "${1//\`/\`\`}"; }

# A leading option means "run the server with these options".
if [ "${1:0:1}" = '-' ]; then
    set -- mysqld "$@"
fi

case "$1" in
    mysqld | mariadbd | /usr/sbin/mysqld | /usr/sbin/mariadbd) ;;
    *) exec "$@" ;;
esac

# Options only MySQL 8 knows would make MariaDB refuse to start.
server=$1; shift
args=()
for arg in "$@"; do
    case "$arg" in
        --default-authentication-plugin=* | --default_authentication_plugin=* | \
        --authentication-policy=* | --authentication_policy=* | \
        --mysql-native-password=* | --mysql_native_password=*)
            mysql_warn "ignoring MySQL-only option $arg (this is MariaDB)" ;;
        *) args+=("$arg") ;;
    esac
done
set -- "$server" "${args[@]}"
if [ "$(id -u)" = 0 ]; then
    set -- "$@" --user=mysql
fi

DATADIR=/var/lib/mysql
for arg in "$@"; do
    case "$arg" in --datadir=*) DATADIR=${arg#--datadir=} ;; esac
done
SOCKET=/run/mysqld/mysqld.sock

mkdir -p "$DATADIR" /run/mysqld
if [ "$(id -u)" = 0 ]; then
    chown mysql:mysql /run/mysqld
    find "$DATADIR" \! -user mysql -exec chown mysql:mysql '{}' +
fi

if [ ! -d "$DATADIR/mysql" ]; then
    file_env MYSQL_ROOT_PASSWORD
    file_env MYSQL_DATABASE
    file_env MYSQL_USER
    file_env MYSQL_PASSWORD
    file_env MYSQL_ROOT_HOST '%'
    if [ -z "$MYSQL_ROOT_PASSWORD" ] && [ -z "${MYSQL_ALLOW_EMPTY_PASSWORD:-}" ] && [ -z "${MYSQL_RANDOM_ROOT_PASSWORD:-}" ]; then
        mysql_error $'Database is uninitialized and password option is not specified\n\tYou need to specify one of the following as an environment variable:\n\t- MYSQL_ROOT_PASSWORD\n\t- MYSQL_ALLOW_EMPTY_PASSWORD\n\t- MYSQL_RANDOM_ROOT_PASSWORD'
    fi
    if [ "$MYSQL_USER" = root ]; then
        mysql_error 'MYSQL_USER="root", MYSQL_USER and MYSQL_PASSWORD are for configuring a regular user and cannot be used for the root user'
    fi
    if [ -n "${MYSQL_RANDOM_ROOT_PASSWORD:-}" ] && [ -z "$MYSQL_ROOT_PASSWORD" ]; then
        MYSQL_ROOT_PASSWORD=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32 || true)
        mysql_note "GENERATED ROOT PASSWORD: $MYSQL_ROOT_PASSWORD"
    fi

    mysql_note "Initializing database files"
    mariadb-install-db --datadir="$DATADIR" --auth-root-authentication-method=normal \
        --skip-test-db --skip-name-resolve "${@:2}" >/dev/null
    mysql_note "Database files initialized"

    mysql_note "Starting temporary server"
    "$@" --skip-networking --socket="$SOCKET" &
    pid=$!
    sql() { mariadb --protocol=socket --socket="$SOCKET" -uroot --database=mysql "$@"; }
    for i in {60..0}; do
        if echo 'SELECT 1' | sql &>/dev/null; then
            break
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            mysql_error "Unable to start server."
        fi
        sleep 1
    done
    [ "$i" != 0 ] || mysql_error "Unable to start server."
    mysql_note "Temporary server started."

    rootpw=$(sql_str "$MYSQL_ROOT_PASSWORD")
    {
        echo "SET @@SESSION.SQL_LOG_BIN=0;"
        # drop anonymous users and root@<hostname> etc. made by install-db
        echo "DELETE FROM mysql.global_priv WHERE User='' OR (User='root' AND Host<>'localhost');"
        echo "DELETE FROM mysql.proxies_priv WHERE User='' OR (User='root' AND Host<>'localhost');"
        echo "FLUSH PRIVILEGES;"
        echo "ALTER USER 'root'@'localhost' IDENTIFIED BY $rootpw;"
        if [ "$MYSQL_ROOT_HOST" != localhost ]; then
            echo "CREATE USER 'root'@$(sql_str "$MYSQL_ROOT_HOST") IDENTIFIED BY $rootpw;"
            echo "GRANT ALL ON *.* TO 'root'@$(sql_str "$MYSQL_ROOT_HOST") WITH GRANT OPTION;"
            echo "GRANT PROXY ON ''@'%' TO 'root'@$(sql_str "$MYSQL_ROOT_HOST") WITH GRANT OPTION;"
        fi
        echo "DROP DATABASE IF EXISTS test;"
        if [ -n "$MYSQL_DATABASE" ]; then
            mysql_note "Creating database ${MYSQL_DATABASE}" >&2
            echo "CREATE DATABASE IF NOT EXISTS $(sql_ident "$MYSQL_DATABASE");"
        fi
        if [ -n "$MYSQL_USER" ] && [ -n "$MYSQL_PASSWORD" ]; then
            mysql_note "Creating user ${MYSQL_USER}" >&2
            echo "CREATE USER $(sql_str "$MYSQL_USER")@'%' IDENTIFIED BY $(sql_str "$MYSQL_PASSWORD");"
            if [ -n "$MYSQL_DATABASE" ]; then
                mysql_note "Giving user ${MYSQL_USER} access to schema ${MYSQL_DATABASE}" >&2
                echo "GRANT ALL ON $(sql_ident "${MYSQL_DATABASE//_/\\_}").* TO $(sql_str "$MYSQL_USER")@'%';"
            fi
        elif [ -n "$MYSQL_USER$MYSQL_PASSWORD" ]; then
            mysql_warn "MYSQL_USER and MYSQL_PASSWORD must both be set to create a user" 
        fi
        echo "FLUSH PRIVILEGES;"
    } | sql --binary-mode
    export MYSQL_PWD=$MYSQL_ROOT_PASSWORD

    db_args=()
    [ -z "$MYSQL_DATABASE" ] || db_args=(--database="$MYSQL_DATABASE")
    for f in /docker-entrypoint-initdb.d/*; do
        case "$f" in
            *.sh)
                if [ -x "$f" ]; then
                    mysql_note "$0: running $f"; "$f"
                else
                    mysql_note "$0: sourcing $f"; . "$f"
                fi ;;
            *.sql) mysql_note "$0: running $f"; sql "${db_args[@]}" <"$f" ;;
            *.sql.gz) mysql_note "$0: running $f"; gunzip -c "$f" | sql "${db_args[@]}" ;;
            *) mysql_warn "$0: ignoring $f" ;;
        esac
    done
    unset MYSQL_PWD

    mysql_note "Stopping temporary server"
    kill -TERM "$pid"
    wait "$pid" || mysql_error "Temporary server did not shut down cleanly"
    mysql_note "Temporary server stopped"
    echo
    mysql_note "MySQL init process done. Ready for start up."
    echo
fi

mysql_note "Starting $*"
exec "$@"
