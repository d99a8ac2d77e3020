# Start a throwaway PostgreSQL cluster (Debian's postgresql package) for the storage tests;
# sourced by .ci/run. `start_postgres` exports DOMCARE_TEST_POSTGRES_URL and returns 0, or
# says why not and returns 1. The cluster is stopped and removed when the shell exits.
start_postgres() {
    command -v apt-get >/dev/null && [ "$(id -u)" = 0 ] || { echo "no root apt: PostgreSQL tests skip"; return 1; }
    ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 \
        || (apt-get update -q && apt-get install -y -q postgresql) >/dev/null \
        || { echo "warning: postgresql could not be installed"; return 1; }
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    PGDATA=$(mktemp -d /tmp/domcare-pg.XXXXXX) && chown postgres: "$PGDATA" || return 1
    trap 'su postgres -c "$PGBIN/pg_ctl -D $PGDATA -m fast -w stop" >/dev/null 2>&1; rm -rf "$PGDATA"' EXIT
    su postgres -c "$PGBIN/initdb -D $PGDATA -A trust -U postgres" >/dev/null || return 1
    su postgres -c "$PGBIN/pg_ctl -D $PGDATA -l $PGDATA/server.log -o '-p 54329 -k /tmp -c listen_addresses=127.0.0.1' -w start" >/dev/null || return 1
    su postgres -c "$PGBIN/createdb -h 127.0.0.1 -p 54329 -U postgres domcare_test" || return 1
    export DOMCARE_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:54329/domcare_test
}
