#!/usr/bin/env bash
# Makes sure the servers the cluster settings use are installed and running on this machine:
# PostgreSQL (5432), Redis (6379), RabbitMQ (5672) and nginx. A missing one is installed from
# Debian's packages (as root), a stopped one is started. Servers elsewhere (a bank's managed
# PostgreSQL, say) are not touched: set SERVICES_LOCAL=0 and point the URLs at them.
set -euo pipefail
[[ "${SERVICES_LOCAL:-1}" == "1" ]] || exit 0

listening() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }
wait_port() {
  for _ in $(seq 1 "${2:-60}"); do listening "$1" && return 0; sleep 1; done
  echo "port $1 did not open" >&2; return 1
}
as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
apt_updated=0
install() {
  if [[ $apt_updated == 0 ]]; then as_root apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || install nginx-light

if ! listening 5432; then
  command -v pg_ctlcluster >/dev/null || install postgresql
  version=$(ls /etc/postgresql | sort -V | tail -1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
  wait_port 5432
fi

if ! listening 6379; then
  command -v redis-server >/dev/null || install redis-server
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/cluster.log
  wait_port 6379
fi

if ! listening 5672; then
  command -v rabbitmq-server >/dev/null || install rabbitmq-server
  as_root rabbitmq-server -detached
  wait_port 5672 120
fi
