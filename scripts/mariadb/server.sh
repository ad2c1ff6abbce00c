#!/usr/bin/env bash
# Throwaway MariaDB on loopback, for fixture captures and by hand. Shell twin of test/support/mariadb.ts.
#
#   scripts/mariadb/server.sh start DIR [PORT] [BIND] [MARIADBD_OPTION...]
#                                     # PORT default 3306, BIND default 127.0.0.1,::1; options after BIND are
#                                     # passed to mariadbd last (e.g. --ssl-cert=... --ssl-key=... --ssl-ca=...)
#   scripts/mariadb/server.sh stop DIR
#   scripts/mariadb/server.sh status DIR
#
# Env: MARIADB_NETNS=NAME runs mariadbd inside that network namespace (`ip netns exec NAME`; BIND is then an
# address of the namespace). The readiness check and setup go over the Unix socket, which namespaces do not split.
#
# DIR holds everything: data/ (datadir), mysqld.sock, mysqld.pid, general.log, error.log.
# On the first start the datadir is created with mariadb-install-db and scripts/mariadb/setup.sql is run as root
# over the socket (users app/secret and other/other-pw, databases shop and inventory, procedure shop.two_sets).
# A later start on the same DIR (e.g. on another port) reuses the data. Real authentication (no --skip-grant-tables).
# Root access: `mariadb --no-defaults -uroot -S DIR/mysqld.sock` (no password).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cmd="${1:-}"; dir="${2:-}"
[[ -n "$cmd" && -n "$dir" ]] || { echo "usage: $0 start|stop|status DIR [PORT] [BIND]" >&2; exit 2; }
mkdir -p "$dir"; dir="$(cd "$dir" && pwd)"
sock="$dir/mysqld.sock"; pidf="$dir/mysqld.pid"; data="$dir/data"

find_bin() { for b in "$@"; do if command -v "$b" >/dev/null 2>&1; then command -v "$b"; return 0; fi
  for p in /usr/sbin /usr/libexec /usr/local/sbin; do [[ -x "$p/$b" ]] && { echo "$p/$b"; return 0; }; done; done; return 1; }

is_running() { [[ -f "$pidf" ]] && kill -0 "$(cat "$pidf")" 2>/dev/null; }

case "$cmd" in
start)
  port="${3:-3306}"; bind="${4:-127.0.0.1,::1}"
  extra=("${@:5}")   # more mariadbd options, appended after ours
  mariadbd="$(find_bin mariadbd mysqld)" || { echo "mariadbd not found (apt-get install mariadb-server)" >&2; exit 3; }
  client="$(find_bin mariadb mysql)" || { echo "mariadb client not found (apt-get install mariadb-client)" >&2; exit 3; }
  if is_running; then echo "already running (pid $(cat "$pidf"))" >&2; exit 1; fi
  userarg=(); [[ "$(id -u)" == 0 ]] && userarg=(--user=root)
  netns=(); [[ -n "${MARIADB_NETNS:-}" ]] && netns=(ip netns exec "$MARIADB_NETNS")
  if [[ ! -d "$data/mysql" ]]; then
    install_db="$(find_bin mariadb-install-db mysql_install_db)" || { echo "mariadb-install-db not found" >&2; exit 3; }
    "$install_db" --no-defaults --datadir="$data" --auth-root-authentication-method=normal \
      --skip-test-db "${userarg[@]}" >"$dir/install.log" 2>&1 \
      || { cat "$dir/install.log" >&2; exit 1; }
  fi
  # --skip-name-resolve: host names in grants are matched as IPs ('%' and 'localhost' users both exist).
  "${netns[@]}" "$mariadbd" --no-defaults "${userarg[@]}" --datadir="$data" --socket="$sock" --pid-file="$pidf" \
    --port="$port" --bind-address="$bind" --skip-name-resolve \
    --general-log=1 --general-log-file="$dir/general.log" --log-output=FILE \
    --log-error="$dir/error.log" --innodb-buffer-pool-size=32M --innodb-log-file-size=16M \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    --skip-log-bin --max-connections=50 "${extra[@]}" >/dev/null 2>&1 &
  # Wait until it accepts connections on the socket and on TCP.
  for _ in $(seq 1 300); do
    if "$client" --no-defaults -uroot -S "$sock" -e 'SELECT 1' >/dev/null 2>&1; then break; fi
    if ! kill -0 $! 2>/dev/null; then echo "mariadbd exited; last lines of $dir/error.log:" >&2; tail -20 "$dir/error.log" >&2; exit 1; fi
    sleep 0.1
  done
  "$client" --no-defaults -uroot -S "$sock" -e 'SELECT 1' >/dev/null || { echo "mariadbd did not come up" >&2; exit 1; }
  if [[ ! -f "$dir/setup.done" ]]; then
    "$client" --no-defaults -uroot -S "$sock" <"$here/setup.sql"
    touch "$dir/setup.done"
  fi
  echo "MARIADB_PORT=$port"
  echo "MARIADB_SOCKET=$sock"
  echo "MARIADB_GENERAL_LOG=$dir/general.log"
  echo "MARIADB_PID=$(cat "$pidf")"
  ;;
stop)
  if ! is_running; then echo "not running" >&2; exit 0; fi
  pid="$(cat "$pidf")"
  kill -TERM "$pid"
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then echo "mariadbd $pid did not stop in 30 s; killing" >&2; kill -KILL "$pid"; fi
  ;;
status)
  if is_running; then echo "running (pid $(cat "$pidf"))"; else echo "stopped"; exit 1; fi
  ;;
*) echo "unknown command $cmd" >&2; exit 2 ;;
esac
