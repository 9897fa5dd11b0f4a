#!/usr/bin/env bash
# Runs the demo end to end on one machine: the demo identity provider (OpenIddict, strict refresh-token
# rotation, 30-second access tokens), the sample API and the gateway with its embedded defaults (in-memory
# session store). Open http://localhost:5000 and sign in as alice / alice. Ctrl+C stops all three.
set -euo pipefail
# Started in the background by another script, bash ignores SIGINT, and an ignored signal cannot be trapped:
# start again with the default dispositions so that SIGINT and SIGTERM reach the trap below.
if [ -z "${BFF_DEMO_SIGNALS_RESET:-}" ]; then
  export BFF_DEMO_SIGNALS_RESET=1
  exec env --default-signal=INT,TERM bash "$0" "$@"
fi
cd "$(dirname "$0")/.."

dotnet build Bff.sln -c Release -nologo -v quiet
bin() { echo "$1/bin/Release/net10.0/$2.dll"; }

# Stops the three processes and waits for them, however this script ends: Ctrl+C, SIGINT or SIGTERM from another
# script (where background jobs ignore SIGINT, so they must be told), or one of them exiting.
pids=()
stop() {
  trap - EXIT INT TERM
  [ ${#pids[@]} -eq 0 ] && return
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

DEMO_IDP_ACCESS_TOKEN_SECONDS="${DEMO_IDP_ACCESS_TOKEN_SECONDS:-30}" \
  dotnet "$(bin demo/Bff.Demo.IdentityProvider Bff.Demo.IdentityProvider)" & pids+=($!)
DEMO_API_AUTHORITY=http://localhost:5001/ \
  dotnet "$(bin demo/Bff.Demo.Api Bff.Demo.Api)" & pids+=($!)

for _ in $(seq 1 60); do
  curl -fs http://localhost:5001/.well-known/openid-configuration >/dev/null && break
  sleep 0.5
done

# The gateway reads appsettings.json from the repository root (its content root here), then these overrides.
# Two more routes, each to an API with its own audience: the gateway asks a token for each resource (RFC 8707).
demo_routes=()
for api in orders billing; do
  demo_routes+=("ReverseProxy__Routes__${api}__ClusterId=api" "ReverseProxy__Routes__${api}__Match__Path=/${api}/{**rest}"
    "ReverseProxy__Routes__${api}__Metadata__Bff.AccessToken=User"
    "ReverseProxy__Routes__${api}__Metadata__Bff.AccessToken.Resource=https://api.demo.example/${api}")
done
# The sample API's SignalR hub, a user route like the others (its WebSocket is checked by Origin instead of X-CSRF).
demo_routes+=("ReverseProxy__Routes__hubs__ClusterId=api" "ReverseProxy__Routes__hubs__Match__Path=/hubs/{**rest}"
  "ReverseProxy__Routes__hubs__Metadata__Bff.AccessToken=User")
env "${demo_routes[@]}" \
ASPNETCORE_URLS=http://localhost:5000 \
Bff__Oidc__Authority=http://localhost:5001/ \
Bff__Oidc__ClientId=spa-bff \
Bff__Oidc__ClientSecret=demo-secret \
Bff__Oidc__RequireHttpsMetadata=false \
Bff__Tokens__RefreshBeforeExpiry=00:00:05 \
Bff__Frontend__Path="$PWD/demo/wwwroot" \
ReverseProxy__Clusters__api__Destinations__d1__Address=http://localhost:5002/ \
  dotnet "$(bin src/Bff Bff)" & pids+=($!)

echo "Demo: open http://localhost:5000 and sign in as alice / alice (Ctrl+C to stop)."
wait -n "${pids[@]}"
