#!/usr/bin/env bash
# A local Citus cluster for tests and benches: one coordinator and two workers on 127.0.0.1.
#
#   bash scripts/citus-cluster.sh start DIR [PORT]   # PORT = coordinator (default 55432); workers PORT+1, PORT+2
#   bash scripts/citus-cluster.sh stop DIR
#   bash scripts/citus-cluster.sh status DIR
#
# `start` prints the coordinator's connection URL on its last line (postgres://postgres@127.0.0.1:PORT/cq),
# the value of `warehouse.url` in cq.config.json (docs/operations.md, "A Citus warehouse").
# Needs PostgreSQL 15 with the Citus 13 extension installed (/usr/lib/postgresql/15). Test cluster only:
# trust authentication on 127.0.0.1, fsync off. A bank's own cluster is configured by its DBAs instead.
# Run as root, the servers run as the Debian user `postgres` (initdb refuses root).
set -euo pipefail

cmd=${1:-}; dir=${2:-}; port=${3:-55432}
BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [[ -z "$cmd" || -z "$dir" ]]; then
  echo "usage: $0 start|stop|status DIR [PORT]" >&2; exit 2
fi

as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}
nodes() { echo "coordinator:$port worker1:$((port + 1)) worker2:$((port + 2))"; }
psql_at() { # port, database, sql
  psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d "$2" -c "$3" >/dev/null
}

case "$cmd" in
  start)
    if [[ ! -x "$BIN/initdb" ]] || ! ls /usr/lib/postgresql/15/lib/citus.so >/dev/null 2>&1; then
      echo "citus-cluster: PostgreSQL 15 with Citus is not installed (need $BIN/initdb and /usr/lib/postgresql/15/lib/citus.so)." >&2
      exit 3
    fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [[ $(id -u) -eq 0 ]]; then chown postgres: "$dir"; fi
    for n in $(nodes); do
      name=${n%%:*}; p=${n##*:}
      if [[ ! -f "$dir/$name/PG_VERSION" ]]; then
        as_pg "$BIN/initdb" -D "$dir/$name" -U postgres -A trust -E UTF8 --locale=C --lc-ctype=C.UTF-8 --no-sync >"$dir/$name.initdb.log"
        cat >>"$dir/$name/postgresql.conf" <<EOF
port = $p
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
shared_preload_libraries = 'citus'
timezone = 'UTC'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 128MB
max_connections = 100
# Analytic builds (docs/operations.md, "A Citus warehouse"): hash joins and sorts in memory rather
# than in many small batches; no JIT (each shard task would compile its plan); few shards on this
# 2-core test cluster (a shard reads every broadcast intermediate result once: 32 shards = 32 reads).
work_mem = 64MB
jit = off
citus.shard_count = 4
citus.node_conninfo = 'sslmode=prefer'
EOF
      fi
      as_pg "$BIN/pg_ctl" -D "$dir/$name" -l "$dir/$name.log" -w -t 60 start >/dev/null
    done
    for n in $(nodes); do
      p=${n##*:}
      if [[ -z $(psql -X -tA -h 127.0.0.1 -p "$p" -U postgres -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'cq'") ]]; then
        psql_at "$p" postgres 'CREATE DATABASE cq'
      fi
      # Only on a new node: once it is in the cluster, a worker refuses extension DDL (the coordinator propagates it).
      if [[ -z $(psql -X -tA -h 127.0.0.1 -p "$p" -U postgres -d cq -c "SELECT 1 FROM pg_extension WHERE extname = 'citus_columnar'") ]]; then
        psql_at "$p" cq 'CREATE EXTENSION IF NOT EXISTS citus; CREATE EXTENSION IF NOT EXISTS citus_columnar'
      fi
    done
    if [[ -z $(psql -X -tA -h 127.0.0.1 -p "$port" -U postgres -d cq -c "SELECT 1 FROM pg_dist_node WHERE nodeport = $((port + 1))") ]]; then
      psql_at "$port" cq "SELECT citus_set_coordinator_host('127.0.0.1', $port); SELECT citus_add_node('127.0.0.1', $((port + 1))); SELECT citus_add_node('127.0.0.1', $((port + 2)));"
    fi
    echo "postgres://postgres@127.0.0.1:$port/cq"
    ;;
  stop)
    for n in $(nodes); do
      name=${n%%:*}
      if [[ -f "$dir/$name/postmaster.pid" ]]; then as_pg "$BIN/pg_ctl" -D "$dir/$name" -m fast -w stop >/dev/null || true; fi
    done
    ;;
  status)
    for n in $(nodes); do
      name=${n%%:*}
      printf '%s: ' "$name"; as_pg "$BIN/pg_ctl" -D "$dir/$name" status >/dev/null 2>&1 && echo running || echo stopped
    done
    ;;
  *)
    echo "usage: $0 start|stop|status DIR [PORT]" >&2; exit 2
    ;;
esac
