#!/usr/bin/env bash
# Real benchmark capture: a throwaway MariaDB on loopback driven by `sysbench oltp_read_write` while
# `tcpdump -i lo -s 0` records the client/server traffic, then a ~300 MB slice of it. Needs mariadb-server, sysbench,
# tcpdump and editcap (wireshark-common / tshark), and root or CAP_NET_RAW for tcpdump.
#
#   scripts/bench/sysbench-capture.sh [--time 60] [--threads 8] [--port 3411] [--dir /tmp/myshark-bench-mariadb]
#                                     [--out bench/out/sysbench.pcap] [--tables 4] [--table-size 10000]
#                                     [--ps-mode disable|auto] [--keep-server] [--buffer KiB] [--load N]
#                                     [--slice-size 300M] [--slice-out bench/out/sysbench-slice.pcap] [--no-slice]
#   scripts/bench/sysbench-capture.sh --slice-only [--out FULL] [--slice-size 300M] [--slice-out SLICE]
#
# Only the `run` phase is captured (prepare happens before tcpdump starts). --ps-mode disable (default) makes
# sysbench send every statement as COM_QUERY with text result sets; `auto` uses prepared statements
# (COM_STMT_PREPARE/EXECUTE, binary rows). The server's general log is switched off during the run so it does not
# throttle the server. The server is stopped at the end unless --keep-server.
# tcpdump's closing statistics (captured / received by filter / dropped by kernel) go into OUT.json next to
# sysbench's own counts; a non-zero "dropped by kernel" is a warning (the capture has gaps).
# --buffer sets tcpdump's -B (KiB, default 262144); --load N runs N `gzip -c /dev/urandom >/dev/null` CPU burners
# for the length of the capture. Both exist to make a capture WITH kernel drops on purpose (scripts/bench/
# lossy-capture.sh: -B 16 plus load, for the recall-under-load section of bench/run.mjs).
# The slice: the first N records of OUT, N chosen (bench/read-loop.mjs --first-bytes) so that the file stays within
# --slice-size, cut with `editcap -F pcap -r OUT SLICE 1-N` (classic pcap), plus SLICE.json. --slice-only makes just
# the slice from an existing OUT. It always overwrites: bench/run.mjs decides when to call it (--recapture/--reslice).
# Afterwards: node dist/cli/main.js read -d PORT bench/out/sysbench.pcap (the port is not 3306), or npm run bench.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
time_s=60; threads=8; port=3411; dir=/tmp/myshark-bench-mariadb; out="$root/bench/out/sysbench.pcap"
tables=4; table_size=10000; ps_mode=disable; keep=0; buffer_kib=262144; load=0
slice_size=300M; slice_out=""; do_slice=1; slice_only=0
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
    --buffer) buffer_kib="$2"; shift 2 ;;
    --load) load="$2"; shift 2 ;;
    --slice-size) slice_size="$2"; shift 2 ;;
    --slice-out) slice_out="$2"; shift 2 ;;
    --no-slice) do_slice=0; shift ;;
    --slice-only) slice_only=1; shift ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

mkdir -p "$(dirname "$out")"
out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
[[ -n "$slice_out" ]] || slice_out="${out%.pcap}-slice.pcap"
mkdir -p "$(dirname "$slice_out")"
slice_out="$(cd "$(dirname "$slice_out")" && pwd)/$(basename "$slice_out")"

make_slice() {
  command -v editcap >/dev/null || { echo "editcap not found (apt-get install wireshark-common)" >&2; exit 3; }
  [[ -f "$out" ]] || { echo "$out: no such capture to slice" >&2; exit 2; }
  local n
  n="$(node "$root/bench/read-loop.mjs" --first-bytes "$slice_size" "$out")"
  echo "== slice: first $n records of $(basename "$out") (<= $slice_size) -> $slice_out" >&2
  rm -f "$slice_out" "$slice_out.json"
  editcap -F pcap -r "$out" "$slice_out" "1-$n"
  # sidecar: the full capture's description (server port, threads ...) without its whole-run counts, plus the slice's
  node -e '
    const fs = require("fs");
    const [full, slice, n, sizeArg] = process.argv.slice(1);
    let meta = {};
    try { meta = JSON.parse(fs.readFileSync(full + ".json", "utf8")); } catch {}
    for (const k of ["sysbenchQueries", "sysbenchTransactions", "sysbenchIgnoredErrors", "tcpdump"]) delete meta[k];
    Object.assign(meta, { slice: true, sliceOf: require("path").basename(full), sliceSize: sizeArg,
      frames: Number(n), bytes: fs.statSync(slice).size });
    fs.writeFileSync(slice + ".json", JSON.stringify(meta, null, 2) + "\n");
  ' "$out" "$slice_out" "$n" "$slice_size"
  ls -l "$slice_out" >&2
}

if [[ "$slice_only" == 1 ]]; then make_slice; exit 0; fi

for b in sysbench tcpdump; do command -v "$b" >/dev/null || { echo "$b not found (apt-get install $b)" >&2; exit 3; }; done
client="$(command -v mariadb || command -v mysql)" || { echo "mariadb client not found" >&2; exit 3; }

tcpdump_pid=""; load_pids=()
stop_load() {
  local p
  for p in "${load_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${load_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  load_pids=()
}
cleanup() {
  stop_load
  if [[ -n "$tcpdump_pid" ]] && kill -0 "$tcpdump_pid" 2>/dev/null; then kill -INT "$tcpdump_pid"; wait "$tcpdump_pid" || true; fi
  if [[ "$keep" == 0 ]]; then bash "$root/scripts/mariadb/server.sh" stop "$dir" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

echo "== starting MariaDB in $dir on 127.0.0.1:$port" >&2
bash "$root/scripts/mariadb/server.sh" start "$dir" "$port" 127.0.0.1 >/dev/null
sock="$dir/mysqld.sock"
"$client" --no-defaults -uroot -S "$sock" -e "SET GLOBAL general_log = 0; SET GLOBAL max_connections = 200;
  CREATE DATABASE IF NOT EXISTS sbtest; GRANT ALL PRIVILEGES ON sbtest.* TO 'app'@'%', 'app'@'localhost';"
server_version="$("$client" --no-defaults -uroot -S "$sock" -N -e 'SELECT VERSION()')"

sb=(sysbench oltp_read_write --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$port" --mysql-user=app
    --mysql-password=secret --mysql-db=sbtest --tables="$tables" --table-size="$table_size" --threads="$threads"
    --db-ps-mode="$ps_mode" --mysql-ssl=off)
echo "== sysbench prepare ($tables tables x $table_size rows)" >&2
"${sb[@]}" cleanup >/dev/null 2>&1 || true
"${sb[@]}" prepare >"$dir/sysbench-prepare.log" 2>&1 || { cat "$dir/sysbench-prepare.log" >&2; exit 1; }

echo "== capturing tcp port $port on lo into $out" >&2
rm -f "$out" "$out.json" "$dir/tcpdump.log"
tcpdump -i lo -s 0 -B "$buffer_kib" -n -w "$out" "tcp port $port" 2>"$dir/tcpdump.log" &
tcpdump_pid=$!
for _ in $(seq 1 100); do grep -q 'listening on' "$dir/tcpdump.log" 2>/dev/null && break; sleep 0.05; done
sleep 1 # "listening on" comes before the ring is really filled; without this the first connections' handshakes were lost

if [[ "$load" -gt 0 ]]; then
  echo "== CPU load: $load x gzip -c /dev/urandom >/dev/null during the run" >&2
  for _ in $(seq 1 "$load"); do gzip -c /dev/urandom >/dev/null & load_pids+=($!); done
fi
echo "== sysbench run: $threads threads, $time_s s, ps-mode $ps_mode, tcpdump -B $buffer_kib" >&2
"${sb[@]}" --time="$time_s" --report-interval=10 run | tee "$dir/sysbench-run.log" >&2
stop_load
sleep 2 # libpcap hands packets over in blocks (1 s timeout): let the last block reach the file before SIGINT
kill -INT "$tcpdump_pid"; wait "$tcpdump_pid" || true; tcpdump_pid=""
cat "$dir/tcpdump.log" >&2
# tcpdump's statistics at exit: "N packets captured", "N packets received by filter", "N packets dropped by kernel"
stat_of() { awk -v w="$1" 'index($0, w) { print $1; exit }' "$dir/tcpdump.log"; }
captured="$(stat_of 'packets captured')"; received="$(stat_of 'packets received by filter')"
dropped="$(stat_of 'packets dropped by kernel')"
if [[ -z "$dropped" ]]; then
  echo "warning: tcpdump printed no 'packets dropped by kernel' line" >&2
elif [[ "$dropped" != 0 ]]; then
  echo "warning: tcpdump dropped $dropped packets; the capture has gaps (counts will not match sysbench's)" >&2
fi
# sysbench's own counts, for bench/run.mjs to compare with (queries/transactions of the run phase)
q="$(awk '/total:/ && !t {print $2; t=1}' "$dir/sysbench-run.log")"
qr="$(awk '/^ *read:/ {print $2; exit}' "$dir/sysbench-run.log")"
qw="$(awk '/^ *write:/ {print $2; exit}' "$dir/sysbench-run.log")"
qo="$(awk '/^ *other:/ {print $2; exit}' "$dir/sysbench-run.log")"
tx="$(awk '/transactions:/ {print $2}' "$dir/sysbench-run.log")"
ign="$(awk '/ignored errors:/ {print $3}' "$dir/sysbench-run.log")"
cat >"$out.json" <<JSON
{ "synthetic": false, "source": "sysbench oltp_read_write", "serverHost": "127.0.0.1", "serverPort": $port,
  "threads": $threads, "seconds": $time_s, "psMode": "$ps_mode", "tables": $tables, "tableSize": $table_size,
  "server": "MariaDB $server_version", "sysbench": "$(sysbench --version)",
  "sysbenchQueries": ${q:-null},
  "sysbenchQueriesPerformed": { "read": ${qr:-null}, "write": ${qw:-null}, "other": ${qo:-null}, "total": ${q:-null} },
  "sysbenchTransactions": ${tx:-null}, "sysbenchIgnoredErrors": ${ign:-null},
  "tcpdump": { "captured": ${captured:-null}, "receivedByFilter": ${received:-null}, "droppedByKernel": ${dropped:-null},
    "bufferKiB": $buffer_kib },
  "cpuLoad": $load,
  "captured": "$(date -u +%Y-%m-%dT%H:%M:%SZ)" }
JSON
ls -l "$out" >&2
if [[ "$do_slice" == 1 ]]; then make_slice; fi
