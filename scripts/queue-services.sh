#!/usr/bin/env bash
# PostgreSQL and Redis for n8n's queue mode, from Debian's packages, on loopback only.
#
#   scripts/queue-services.sh start [--dir DIR] [--pg-port N] [--redis-port N]
#   scripts/queue-services.sh stop  [--dir DIR] [--purge]
#   scripts/queue-services.sh status|env [--dir DIR]
#
# start: installs the packages when they are missing (`apt-get update` once, then
#   `apt-get install -y postgresql redis-server`, as root; the packages' own services are not
#   started), then runs a private PostgreSQL cluster and a private Redis whose data live in DIR
#   (default /tmp/klivo-queue-services), without systemd: postgres runs as the `postgres` user via
#   pg_ctl, redis-server as the `redis` user (or root) with --daemonize. Both listen on 127.0.0.1
#   only, on free ports unless given (so other PostgreSQL/Redis/n8n on the machine are not
#   touched). Creates the role and database n8n uses, and prints the connection settings as
#   KEY=VALUE lines (also kept in DIR/env, which a shell can `source`). Running it again with the
#   same DIR reuses what is there and running: it is idempotent.
# stop: stops both (fast shutdown, no save); --purge also deletes DIR.
# status: prints the settings and whether each service answers; exit 1 if one does not.
#
# Environment: KLIVO_QUEUE_DIR, KLIVO_PG_PORT, KLIVO_REDIS_PORT (same as the flags).
set -euo pipefail

cmd="${1:-start}"
[ $# -gt 0 ] && shift
DIR="${KLIVO_QUEUE_DIR:-/tmp/klivo-queue-services}"
PG_PORT="${KLIVO_PG_PORT:-}"
REDIS_PORT="${KLIVO_REDIS_PORT:-}"
PURGE=0
while [ $# -gt 0 ]; do
	case "$1" in
		--dir) DIR="$2"; shift 2 ;;
		--pg-port) PG_PORT="$2"; shift 2 ;;
		--redis-port) REDIS_PORT="$2"; shift 2 ;;
		--purge) PURGE=1; shift ;;
		-h|--help) sed -n '2,22p' "$0"; exit 0 ;;
		*) echo "queue-services: unknown argument $1" >&2; exit 2 ;;
	esac
done
case "$DIR" in /*) ;; *) DIR="$(pwd)/$DIR" ;; esac

DB_NAME=klivo_n8n
DB_USER=klivo_n8n
ENV_FILE="$DIR/env"

say() { echo "[queue-services] $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

pg_bin() {
	local v
	v="$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)"
	[ -n "$v" ] && [ -x "/usr/lib/postgresql/$v/bin/pg_ctl" ] && echo "/usr/lib/postgresql/$v/bin"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
	local p tries=0
	while [ $tries -lt 200 ]; do
		p=$(( 20000 + RANDOM % 30000 ))
		if ! port_busy "$p"; then echo "$p"; return 0; fi
		tries=$((tries + 1))
	done
	die "no free port found"
}

as_user() { # as_user USER CMD... (root only; falls back to running as is)
	local u="$1"; shift
	if [ "$(id -u)" = 0 ] && id "$u" >/dev/null 2>&1; then runuser -u "$u" -- "$@"; else "$@"; fi
}

install_packages() {
	if [ -n "$(pg_bin)" ] && command -v redis-server >/dev/null && command -v redis-cli >/dev/null; then return 0; fi
	[ "$(id -u)" = 0 ] || die "postgresql and redis-server are not installed; run this script as root once (it installs them with apt-get)"
	say "installing postgresql and redis-server from Debian's packages"
	local t0=$SECONDS policy=/usr/sbin/policy-rc.d made_policy=0
	# the packages would start their own system-wide services (port 5432 / 6379): not wanted here
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made_policy=1
	fi
	local rc=0
	{
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends postgresql redis-server >&2
	} || rc=$?
	[ $made_policy = 1 ] && rm -f "$policy"
	[ $rc = 0 ] || die "apt-get failed ($rc)"
	[ -n "$(pg_bin)" ] || die "postgresql installed, but no /usr/lib/postgresql/*/bin/pg_ctl"
	say "installed in $((SECONDS - t0)) s"
}

load_env() { [ -f "$ENV_FILE" ] && . "$ENV_FILE" || true; }

pg_running() { [ -n "${KLIVO_PG_PORT:-}" ] && [ -f "$DIR/pg/postmaster.pid" ] && "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$KLIVO_PG_PORT" -t 2 2>/dev/null; }
redis_running() { [ -n "${KLIVO_REDIS_PORT:-}" ] && [ "$(redis-cli -h 127.0.0.1 -p "$KLIVO_REDIS_PORT" ping 2>/dev/null)" = PONG ]; }

print_env() {
	cat "$ENV_FILE"
}

write_env() {
	local tmp="$ENV_FILE.tmp"
	cat >"$tmp" <<EOF
KLIVO_QUEUE_DIR=$DIR
KLIVO_PG_PORT=$KLIVO_PG_PORT
KLIVO_REDIS_PORT=$KLIVO_REDIS_PORT
KLIVO_PG_PASSWORD=$KLIVO_PG_PASSWORD
DB_TYPE=postgresdb
DB_POSTGRESDB_HOST=127.0.0.1
DB_POSTGRESDB_PORT=$KLIVO_PG_PORT
DB_POSTGRESDB_DATABASE=$DB_NAME
DB_POSTGRESDB_USER=$DB_USER
DB_POSTGRESDB_PASSWORD=$KLIVO_PG_PASSWORD
QUEUE_BULL_REDIS_HOST=127.0.0.1
QUEUE_BULL_REDIS_PORT=$KLIVO_REDIS_PORT
EOF
	chmod 600 "$tmp"
	mv "$tmp" "$ENV_FILE"
}

start_pg() {
	local bin; bin="$(pg_bin)"
	if pg_running; then say "postgresql already running on 127.0.0.1:$KLIVO_PG_PORT"; return 0; fi
	mkdir -p "$DIR/run"
	if [ ! -f "$DIR/pg/PG_VERSION" ]; then
		rm -rf "$DIR/pg"
		mkdir -p "$DIR/pg"
		[ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR/pg"
		chmod 700 "$DIR/pg"
		as_user postgres "$bin/initdb" -D "$DIR/pg" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
			|| { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
	fi
	[ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR/run"
	rm -f "$DIR/pg/postmaster.pid"
	as_user postgres "$bin/pg_ctl" -D "$DIR/pg" -l "$DIR/run/postgresql.log" -w -t 60 \
		-o "-p $KLIVO_PG_PORT -c listen_addresses=127.0.0.1 -k $DIR/run -c max_connections=200" start >/dev/null \
		|| { tail -n 30 "$DIR/run/postgresql.log" >&2 || true; die "postgresql did not start"; }
	local psql=("$bin/psql" -v ON_ERROR_STOP=1 -q -h "$DIR/run" -p "$KLIVO_PG_PORT" -U postgres -d postgres -tA)
	if [ "$(as_user postgres "${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname='$DB_USER'")" != 1 ]; then
		as_user postgres "${psql[@]}" -c "CREATE ROLE $DB_USER LOGIN PASSWORD '$KLIVO_PG_PASSWORD'"
	else
		as_user postgres "${psql[@]}" -c "ALTER ROLE $DB_USER PASSWORD '$KLIVO_PG_PASSWORD'"
	fi
	if [ "$(as_user postgres "${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname='$DB_NAME'")" != 1 ]; then
		as_user postgres "${psql[@]}" -c "CREATE DATABASE $DB_NAME OWNER $DB_USER"
	fi
	say "postgresql on 127.0.0.1:$KLIVO_PG_PORT (data $DIR/pg)"
}

start_redis() {
	if redis_running; then say "redis already running on 127.0.0.1:$KLIVO_REDIS_PORT"; return 0; fi
	local user=root
	id redis >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && user=redis
	mkdir -p "$DIR/redis"
	[ "$(id -u)" = 0 ] && chown "$user" "$DIR/redis"
	as_user "$user" redis-server --port "$KLIVO_REDIS_PORT" --bind 127.0.0.1 --protected-mode yes \
		--daemonize yes --dir "$DIR/redis" --pidfile "$DIR/redis/redis.pid" --logfile "$DIR/redis/redis.log" \
		--save '' --appendonly no >/dev/null
	local i
	for i in $(seq 1 100); do redis_running && break; sleep 0.1; done
	redis_running || { tail -n 30 "$DIR/redis/redis.log" >&2 || true; die "redis did not start"; }
	say "redis on 127.0.0.1:$KLIVO_REDIS_PORT (data $DIR/redis)"
}

stop_all() {
	load_env
	local bin; bin="$(pg_bin || true)"
	if [ -n "$bin" ] && [ -f "$DIR/pg/postmaster.pid" ]; then
		as_user postgres "$bin/pg_ctl" -D "$DIR/pg" -m fast -w -t 30 stop >/dev/null 2>&1 || say "postgresql: pg_ctl stop failed"
	fi
	if [ -f "$DIR/redis/redis.pid" ]; then
		local pid; pid="$(cat "$DIR/redis/redis.pid" 2>/dev/null || true)"
		if [ -n "${KLIVO_REDIS_PORT:-}" ]; then redis-cli -h 127.0.0.1 -p "$KLIVO_REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true; fi
		if [ -n "$pid" ]; then
			local i
			for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
			kill -0 "$pid" 2>/dev/null && kill "$pid" 2>/dev/null || true
		fi
		rm -f "$DIR/redis/redis.pid"
	fi
	say "stopped (dir $DIR)"
	if [ $PURGE = 1 ]; then rm -rf "$DIR"; say "removed $DIR"; fi
}

case "$cmd" in
	start)
		install_packages
		mkdir -p "$DIR"
		chmod 755 "$DIR"
		if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1 && ! runuser -u postgres -- test -x "$DIR"; then
			die "the postgres user cannot reach $DIR (a parent folder is private): use a --dir under /tmp"
		fi
		load_env
		# ports: flags/env > what this DIR used before > free ones
		KLIVO_PG_PORT="${PG_PORT:-${KLIVO_PG_PORT:-}}"
		KLIVO_REDIS_PORT="${REDIS_PORT:-${KLIVO_REDIS_PORT:-}}"
		if [ -z "$KLIVO_PG_PORT" ] || { ! pg_running && port_busy "$KLIVO_PG_PORT"; }; then KLIVO_PG_PORT="$(free_port)"; fi
		if [ -z "$KLIVO_REDIS_PORT" ] || { ! redis_running && port_busy "$KLIVO_REDIS_PORT"; }; then
			KLIVO_REDIS_PORT="$(free_port)"
			while [ "$KLIVO_REDIS_PORT" = "$KLIVO_PG_PORT" ]; do KLIVO_REDIS_PORT="$(free_port)"; done
		fi
		KLIVO_PG_PASSWORD="${KLIVO_PG_PASSWORD:-$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)}"
		write_env
		start_pg
		start_redis
		print_env
		;;
	stop)
		stop_all
		;;
	status|env)
		[ -f "$ENV_FILE" ] || die "nothing started in $DIR"
		load_env
		print_env
		ok=0
		if pg_running; then say "postgresql: up"; else say "postgresql: down"; ok=1; fi
		if redis_running; then say "redis: up"; else say "redis: down"; ok=1; fi
		exit $ok
		;;
	*)
		echo "usage: $0 start|stop|status [--dir DIR] [--pg-port N] [--redis-port N] [--purge]" >&2
		exit 2
		;;
esac
