#!/usr/bin/env bash
# A sysbench capture WITH kernel drops, for the "recall under load" section of bench/run.mjs: the same throwaway
# MariaDB and `sysbench oltp_read_write --threads=8 --db-ps-mode=disable` (text protocol) as sysbench-capture.sh,
# but recorded by tcpdump with a tiny buffer (-B 16 KiB) while CPU burners (gzip -c /dev/urandom >/dev/null) run,
# so that tcpdump reports "N packets dropped by kernel". When it reports none, it tries again with more load and a
# smaller buffer (up to --attempts times) and says so. Writes OUT (default bench/out/sysbench-lossy.pcap) and
# OUT.json (sysbench's queries performed read/write/other/total, ignored errors; tcpdump's captured / received by
# filter / dropped by kernel; the buffer and load of the attempt that was kept).
#
#   scripts/bench/lossy-capture.sh [--time 10] [--threads 8] [--buffer 16] [--load 2] [--attempts 3]
#                                  [--port 3412] [--dir /tmp/myshark-bench-mariadb-lossy] [--out bench/out/sysbench-lossy.pcap]
#
# Exit 0 with drops; 4 when no attempt had drops (the last capture is kept, OUT.json says droppedByKernel 0);
# anything else is sysbench-capture.sh's failure. Needs what sysbench-capture.sh needs (root or CAP_NET_RAW).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
time_s=10; threads=8; buffer=16; load=2; attempts=3; port=3412; dir=/tmp/myshark-bench-mariadb-lossy
out="$root/bench/out/sysbench-lossy.pcap"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --time) time_s="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --buffer) buffer="$2"; shift 2 ;;
    --load) load="$2"; shift 2 ;;
    --attempts) attempts="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

dropped_of() { node -e 'try { const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(m.tcpdump?.droppedByKernel ?? 0); } catch { console.log(0); }' "$1.json"; }

for attempt in $(seq 1 "$attempts"); do
  echo "== lossy capture, attempt $attempt/$attempts: tcpdump -B $buffer KiB, $load CPU burner(s), sysbench $threads threads $time_s s" >&2
  bash "$here/sysbench-capture.sh" --time "$time_s" --threads "$threads" --port "$port" --dir "$dir" --out "$out" \
    --ps-mode disable --buffer "$buffer" --load "$load" --no-slice
  dropped="$(dropped_of "$out")"
  if [[ "$dropped" != 0 ]]; then
    node -e '
      const fs = require("fs"); const [p, a] = process.argv.slice(1);
      const m = JSON.parse(fs.readFileSync(p, "utf8")); m.lossy = true; m.attempt = Number(a);
      fs.writeFileSync(p, JSON.stringify(m, null, 2) + "\n");' "$out.json" "$attempt"
    echo "== tcpdump reported $dropped packets dropped by kernel (attempt $attempt): $out" >&2
    exit 0
  fi
  if [[ "$attempt" -lt "$attempts" ]]; then
    echo "== tcpdump reported NO kernel drops with -B $buffer and $load burner(s): retrying with more load and a smaller buffer" >&2
  fi
  load=$((load * 2 + 1))
  [[ "$buffer" -gt 1 ]] && buffer=$((buffer / 2))
done
echo "warning: no kernel drops after $attempts attempts; $out has none (raise --load or --threads)" >&2
exit 4
