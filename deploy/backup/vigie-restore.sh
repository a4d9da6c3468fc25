#!/usr/bin/env bash
# Restores a Vigie backup made by vigie-backup.sh.
#   vigie-restore.sh <dump> <target database URL> [<media archive> <media folder>]
# The target database must exist and should be empty (createdb); objects already there are replaced
# (--clean --if-exists). Stop the daphne processes and the worker before restoring over a live database.
set -euo pipefail
if [ $# -ne 2 ] && [ $# -ne 4 ]; then
    echo "usage: $0 <dump> <target database URL> [<media archive> <media folder>]" >&2
    exit 2
fi
dump=$1
target=$2
pg_restore --list "$dump" >/dev/null
pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error --single-transaction \
    --dbname="$target" "$dump"
echo "database restored from $dump"
if [ $# -eq 4 ]; then
    mkdir -p "$4"
    tar -C "$4" -xzf "$3"
    echo "media restored into $4"
fi
