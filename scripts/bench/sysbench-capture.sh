#!/usr/bin/env bash
# Real benchmark capture: a throwaway MariaDB on loopback driven by `sysbench oltp_read_write` while
# `tcpdump -i lo -s 0` records the client/server traffic. Needs mariadb-server, sysbench and tcpdump (and root or
# CAP_NET_RAW for tcpdump).
#
#   scripts/bench/sysbench-capture.sh [--time 60] [--threads 4] [--port 3411] [--dir /tmp/myshark-bench-mariadb]
#                                     [--out bench/out/sysbench.pcap] [--tables 4] [--table-size 10000]
#                                     [--ps-mode disable|auto] [--keep-server]
#
# Only the `run` phase is captured (prepare happens before tcpdump starts). --ps-mode disable (default) makes
# sysbench send every statement as COM_QUERY with text result sets; `auto` uses prepared statements
# (COM_STMT_PREPARE/EXECUTE, binary rows). The server's general log is switched off during the run so it does not
# throttle the server. The server is stopped at the end unless --keep-server.
# Afterwards: node dist/cli/main.js read -d PORT bench/out/sysbench.pcap (the port is not 3306), or npm run bench.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
time_s=60; threads=4; port=3411; dir=/tmp/myshark-bench-mariadb; out="$root/bench/out/sysbench.pcap"
tables=4; table_size=10000; ps_mode=disable; keep=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --time) time_s="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --tables) tables="$2"; shift 2 ;;
    --table-size) table_size="$2"; shift 2 ;;
    --ps-mode) ps_mode="$2"; shift 2 ;;
    --keep-server) keep=1; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
for b in sysbench tcpdump; do command -v "$b" >/dev/null || { echo "$b not found (apt-get install $b)" >&2; exit 3; }; done
client="$(command -v mariadb || command -v mysql)" || { echo "mariadb client not found" >&2; exit 3; }

mkdir -p "$(dirname "$out")"
out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"

tcpdump_pid=""
cleanup() {
  if [[ -n "$tcpdump_pid" ]] && kill -0 "$tcpdump_pid" 2>/dev/null; then kill -INT "$tcpdump_pid"; wait "$tcpdump_pid" || true; fi
  if [[ "$keep" == 0 ]]; then bash "$root/scripts/mariadb/server.sh" stop "$dir" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

echo "== starting MariaDB in $dir on 127.0.0.1:$port" >&2
bash "$root/scripts/mariadb/server.sh" start "$dir" "$port" 127.0.0.1 >/dev/null
sock="$dir/mysqld.sock"
"$client" --no-defaults -uroot -S "$sock" -e "SET GLOBAL general_log = 0; SET GLOBAL max_connections = 200;
  CREATE DATABASE IF NOT EXISTS sbtest; GRANT ALL PRIVILEGES ON sbtest.* TO 'app'@'%', 'app'@'localhost';"

sb=(sysbench oltp_read_write --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$port" --mysql-user=app
    --mysql-password=secret --mysql-db=sbtest --tables="$tables" --table-size="$table_size" --threads="$threads"
    --db-ps-mode="$ps_mode" --mysql-ssl=off)
echo "== sysbench prepare ($tables tables x $table_size rows)" >&2
"${sb[@]}" cleanup >/dev/null 2>&1 || true
"${sb[@]}" prepare >"$dir/sysbench-prepare.log" 2>&1 || { cat "$dir/sysbench-prepare.log" >&2; exit 1; }

echo "== capturing tcp port $port on lo into $out" >&2
rm -f "$out" "$dir/tcpdump.log"
tcpdump -i lo -s 0 -B 262144 -n -w "$out" "tcp port $port" 2>"$dir/tcpdump.log" &
tcpdump_pid=$!
for _ in $(seq 1 100); do grep -q 'listening on' "$dir/tcpdump.log" 2>/dev/null && break; sleep 0.05; done
sleep 1 # "listening on" comes before the ring is really filled; without this the first connections' handshakes were lost

echo "== sysbench run: $threads threads, $time_s s, ps-mode $ps_mode" >&2
"${sb[@]}" --time="$time_s" --report-interval=10 run | tee "$dir/sysbench-run.log" >&2
sleep 2 # libpcap hands packets over in blocks (1 s timeout): let the last block reach the file before SIGINT
kill -INT "$tcpdump_pid"; wait "$tcpdump_pid" || true; tcpdump_pid=""
cat "$dir/tcpdump.log" >&2
if grep -Eq '^[1-9][0-9]* packets dropped by kernel' "$dir/tcpdump.log"; then
  echo "warning: tcpdump dropped packets; the capture has gaps" >&2
fi
# sysbench's own counts, for bench/run.mjs to compare with (queries/transactions of the run phase)
q="$(awk '/total:/ && !t {print $2; t=1}' "$dir/sysbench-run.log")"
tx="$(awk '/transactions:/ {print $2}' "$dir/sysbench-run.log")"
cat >"$out.json" <<JSON
{ "synthetic": false, "source": "sysbench oltp_read_write", "serverPort": $port, "threads": $threads,
  "seconds": $time_s, "psMode": "$ps_mode", "tables": $tables, "tableSize": $table_size,
  "sysbenchQueries": ${q:-null}, "sysbenchTransactions": ${tx:-null} }
JSON
ls -l "$out" >&2
