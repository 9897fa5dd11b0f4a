#!/bin/sh
# A self-signed certificate for the compose nginx (https://localhost:5443), valid for localhost and 127.0.0.1.
# Run once before `docker compose up`; replace deploy/compose/tls/tls.crt and tls.key with a real certificate
# to serve another name. Usage: deploy/compose/tls-cert.sh [folder] (default: tls/ next to this script).
set -eu
folder=${1:-"$(dirname "$0")/tls"}
mkdir -p "$folder"
openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$folder/tls.key" -out "$folder/tls.crt" 2>/dev/null
chmod 644 "$folder/tls.crt"
chmod 600 "$folder/tls.key"
echo "wrote $folder/tls.crt and $folder/tls.key"
