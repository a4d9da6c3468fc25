#!/usr/bin/env bash
# Backs up Vigie: a PostgreSQL dump (pg_dump, custom format, checked readable) and the media folder.
# Reads DATABASE_URL (and MEDIA_ROOT, MEDIA_STORAGE) from the environment, e.g. /etc/vigie/vigie.env.
#   BACKUP_DIR        where to write (default /var/backups/vigie)
#   BACKUP_KEEP_DAYS  older files are deleted (default 14)
# Run nightly by systemd/vigie-backup.timer; restore with deploy/backup/vigie-restore.sh.
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL is not set}"
BACKUP_DIR=${BACKUP_DIR:-/var/backups/vigie}
KEEP_DAYS=${BACKUP_KEEP_DAYS:-14}
MEDIA_ROOT=${MEDIA_ROOT:-/srv/vigie/media}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
umask 077
mkdir -p "$BACKUP_DIR"

dump="$BACKUP_DIR/vigie-$stamp.dump"
pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$dump.partial"
pg_restore --list "$dump.partial" >/dev/null  # a dump that can't be listed is no backup
mv "$dump.partial" "$dump"
echo "database: $dump ($(du -h "$dump" | cut -f1))"

# Photos on local disk are archived too; in an S3 bucket (MEDIA_STORAGE=s3), the bucket's versioning
# and replication are the backup (deploy/README.md).
if [ "${MEDIA_STORAGE:-local}" = "local" ] && [ -d "$MEDIA_ROOT" ]; then
    media="$BACKUP_DIR/media-$stamp.tar.gz"
    tar -C "$MEDIA_ROOT" -czf "$media.partial" .
    mv "$media.partial" "$media"
    echo "media: $media ($(du -h "$media" | cut -f1))"
fi

find "$BACKUP_DIR" -maxdepth 1 -type f \( -name 'vigie-*.dump' -o -name 'media-*.tar.gz' \) \
    -mtime +"$KEEP_DAYS" -print -delete
