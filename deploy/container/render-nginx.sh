#!/bin/sh
# Renders conf/nginx.conf.in for the container image: the same template the
# local stack uses (deploy/stack), with the image's fixed paths. The operators'
# metrics server (conf/nginx-metrics.conf.in, beside the template) goes in at
# @METRICS_SERVER@ first; then every placeholder is filled in.
set -eu
dir=$(dirname "$1")
sed -e "/@METRICS_SERVER@/{r $dir/nginx-metrics.conf.in" -e 'd;}' "$1" |
sed -e 's|@USER_LINE@|user ticketd;|' \
    -e 's|@PREFIX@|/tmp/nginx|g' \
    -e 's|@LOG_DIR@|/dev/stdout|g' \
    -e 's|@ERRORS_DIR@|/etc/ticketd/conf/errors|g' \
    -e 's|@CONF_DIR@|/etc/ticketd/conf|g' \
    -e 's|@TLS@|# TLS ends at the load balancer in front of the pod|g' \
    -e 's|@LIMIT_HEALTH@|limit_req zone=ticketd_health burst=20 nodelay;|g' \
    -e 's|@WEB_ROOT@|/srv/ticketd/web|g' \
    -e 's|@LISTEN@|0.0.0.0:8080|g' \
    -e 's|@METRICS_LISTEN@|0.0.0.0:9145|g' \
    -e 's|@READ_SOCKET@|/run/ticketd/read.sock|g' \
    -e 's|@BOOK_SOCKET@|/run/ticketd/book.sock|g' \
    -e 's|@LIMIT_BOOK@|limit_req zone=ticketd_book burst=10 nodelay;|g' \
    -e 's|@LIMIT_READ@|limit_req zone=ticketd_read burst=200 nodelay;|g' \
    -e 's|@LIMIT_AUTH@|limit_req zone=ticketd_auth burst=10 nodelay;|g' \
    -e 's|@MICROCACHE@|include /etc/ticketd/conf/microcache.conf;|g' \
    -e 's|@REALIP@|set_real_ip_from 10.0.0.0/8; real_ip_header X-Forwarded-For; real_ip_recursive on;|g' \
    -e 's|/dev/stdout/access.log|/dev/stdout|; s|/dev/stdout/metrics-access.log|/dev/stdout|; s|/dev/stdout/nginx-error.log|/dev/stderr|' \
    |
# Every placeholder must be filled in.
awk '/@[A-Z_]+@/ { print "render-nginx: unfilled placeholder: " $0 > "/dev/stderr"; bad = 1 } { print } END { exit bad }'
