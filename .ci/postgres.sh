#!/usr/bin/env bash
# A throw-away PostgreSQL server for the db package's tests.
#
#   .ci/postgres.sh [start]   install Debian's postgresql if missing, create a
#                             temporary cluster, start it on 127.0.0.1 and print
#                             EVENTHOST_TEST_POSTGRES=postgres://... on stdout
#   .ci/postgres.sh stop      stop that server and remove its directory
#
# Typical use:  export "$(.ci/postgres.sh)"; go test ./db/...; .ci/postgres.sh stop
#
# Idempotent: a second start prints the URL of the server already running.
# Everything but the URL goes to stderr. Runs as root (the server itself runs as
# the postgres user, since PostgreSQL refuses root) or as an ordinary user who
# already has the server binaries installed.
#
# Environment: EVENTHOST_PG_DIR (default /tmp/eventhost-pg) holds the cluster,
# its log and its unix socket; EVENTHOST_PG_PORT is the TCP port (default: the
# first free one from 55432);
# EVENTHOST_PG_DB (default eventhost_test) is the database created.
set -euo pipefail

dir=${EVENTHOST_PG_DIR:-/tmp/eventhost-pg}
port=${EVENTHOST_PG_PORT:-55432}
dbname=${EVENTHOST_PG_DB:-eventhost_test}
mode=${1:-start}

log() { echo "postgres.sh: $*" >&2; }

bindir() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
	if [[ -n $d && -x $d/initdb ]]; then echo "$d"; fi
}

# as_pg runs a command as the postgres user when we are root, else as ourselves.
as_pg() {
	if [[ $(id -u) -eq 0 ]]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

install_postgres() {
	if [[ -n $(bindir) ]]; then return; fi
	if [[ $(id -u) -ne 0 ]]; then
		log "PostgreSQL is not installed and installing it needs root"
		exit 1
	fi
	log "installing Debian's postgresql"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq --no-install-recommends postgresql >&2
	if [[ -z $(bindir) ]]; then
		log "postgresql installed but no initdb under /usr/lib/postgresql/*/bin"
		exit 1
	fi
}

url() { echo "EVENTHOST_TEST_POSTGRES=postgres://postgres@127.0.0.1:${port}/${dbname}?sslmode=disable"; }

# port_free reports whether nothing listens on 127.0.0.1:$1.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# choose_port keeps EVENTHOST_PG_PORT when it is set, else takes the first
# free port from 55432 on: another server (a PostgreSQL of the machine's, a
# cluster left by an earlier run) may hold the default.
choose_port() {
	if [[ -n ${EVENTHOST_PG_PORT:-} ]]; then return; fi
	local p
	for p in $(seq 55432 55531); do
		if port_free "$p"; then
			port=$p
			return
		fi
	done
	log "no free port in 55432-55531"
	exit 1
}

start() {
	install_postgres
	local bin
	bin=$(bindir)
	if [[ -f $dir/data/postmaster.pid ]] && as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
		log "already running in $dir"
		[[ -f $dir/port ]] && port=$(cat "$dir/port")
		url
		return
	fi
	choose_port
	mkdir -p "$dir/sock"
	echo "$port" >"$dir/port"
	if [[ $(id -u) -eq 0 ]]; then chown -R postgres: "$dir"; fi
	chmod 700 "$dir"
	if [[ ! -f $dir/data/PG_VERSION ]]; then
		rm -rf "$dir/data"
		log "initdb in $dir/data"
		as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
			{ cat "$dir/initdb.log" >&2; exit 1; }
	fi
	# A port free a moment ago may be taken by then (a client's ephemeral
	# port, on a busy machine): on a failed bind, try the next free one.
	local tries=0
	while :; do
		log "starting on 127.0.0.1:$port"
		if as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
			-o "-c listen_addresses=127.0.0.1 -p $port -k $dir/sock -c fsync=off" start >&2; then
			break
		fi
		tries=$((tries + 1))
		if [[ -n ${EVENTHOST_PG_PORT:-} || $tries -ge 5 ]] || ! grep -q "Address already in use" "$dir/server.log"; then
			tail -n 20 "$dir/server.log" >&2 || true
			exit 1
		fi
		local p
		for p in $(seq $((port + 1)) 55531); do
			if port_free "$p"; then port=$p; break; fi
		done
		echo "$port" >"$dir/port"
	done
	local psql=("$bin/psql" -X -q -h "$dir/sock" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1)
	if [[ -z $(as_pg "${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = '$dbname'") ]]; then
		as_pg "${psql[@]}" -c "CREATE DATABASE \"$dbname\"" >&2
	fi
	url
}

stop() {
	local bin
	bin=$(bindir)
	if [[ -n $bin && -f $dir/data/postmaster.pid ]]; then
		as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
	fi
	rm -rf "$dir"
	log "stopped; removed $dir"
}

case $mode in
start) start ;;
stop) stop ;;
*) echo "usage: $0 [start|stop]" >&2; exit 2 ;;
esac
