#!/usr/bin/env bash
# A throwaway PostgreSQL for the store and server tests (recipe: shared/NOTES.md).
#
# Sourced by .ci/run:   source .ci/postgres.sh
#   installs PostgreSQL with apt when missing, starts it on 127.0.0.1:54329 in a fresh temp
#   data directory, creates role and database `sp`, exports SOUNDPROFILE_TEST_POSTGRES_URL,
#   and stops the server when the sourcing shell exits (EXIT trap; if the caller sets its own
#   EXIT trap afterwards it must call sp_postgres_stop itself).
# Run by hand:          bash .ci/postgres.sh start | stop
#   start leaves the server running and prints the URL; stop stops the one start left.

SP_PG_PORT="${SP_PG_PORT:-54329}"
SP_PG_STATE="${TMPDIR:-/tmp}/soundprofile-postgres-${SP_PG_PORT}.env"

sp_postgres_install() {
    if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
        echo "postgres.sh: installing PostgreSQL (apt)" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends postgresql >&2
    fi
}

sp_postgres_start() {
    sp_postgres_install || return 1
    SP_PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    SP_PGDATA=$(mktemp -d -t pgdata.XXXXXX)
    chown postgres:postgres "$SP_PGDATA"
    runuser -u postgres -- "$SP_PGBIN/initdb" -D "$SP_PGDATA" -U postgres -E UTF8 \
        --auth-local=trust --auth-host=scram-sha-256 >/dev/null || return 1
    runuser -u postgres -- "$SP_PGBIN/pg_ctl" -D "$SP_PGDATA" -l "$SP_PGDATA/server.log" -w -t 30 \
        -o "-p $SP_PG_PORT -c listen_addresses=127.0.0.1 -k $SP_PGDATA -c fsync=off -c max_connections=200" \
        start >/dev/null || { cat "$SP_PGDATA/server.log" >&2; return 1; }
    runuser -u postgres -- psql -q -h "$SP_PGDATA" -p "$SP_PG_PORT" -U postgres \
        -c "CREATE ROLE sp LOGIN PASSWORD 'sp'" -c "CREATE DATABASE sp OWNER sp" >/dev/null || return 1
    export SOUNDPROFILE_TEST_POSTGRES_URL="postgres://sp:sp@127.0.0.1:${SP_PG_PORT}/sp"
    printf 'SP_PGBIN=%q\nSP_PGDATA=%q\n' "$SP_PGBIN" "$SP_PGDATA" > "$SP_PG_STATE"
    echo "postgres.sh: PostgreSQL running, SOUNDPROFILE_TEST_POSTGRES_URL=$SOUNDPROFILE_TEST_POSTGRES_URL" >&2
}

sp_postgres_stop() {
    [ -f "$SP_PG_STATE" ] && . "$SP_PG_STATE"
    if [ -n "${SP_PGDATA:-}" ] && [ -d "$SP_PGDATA" ]; then
        runuser -u postgres -- "$SP_PGBIN/pg_ctl" -D "$SP_PGDATA" -m fast -w stop >/dev/null 2>&1 || true
        rm -rf "$SP_PGDATA"
        echo "postgres.sh: PostgreSQL stopped" >&2
    fi
    rm -f "$SP_PG_STATE"
    SP_PGDATA=
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
    # Sourced: start now, stop when the caller exits.
    sp_postgres_start && trap sp_postgres_stop EXIT
else
    set -euo pipefail
    case "${1:-start}" in
        start) sp_postgres_start; echo "$SOUNDPROFILE_TEST_POSTGRES_URL" ;;
        stop) sp_postgres_stop ;;
        *) echo "usage: $0 start|stop" >&2; exit 2 ;;
    esac
fi
