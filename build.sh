#!/usr/bin/env bash
# Developer chores that regenerate committed files. Usage: ./build.sh <verb>
#   codegen          rewrite Wolverine's generated code (src/ForecastLedger.Api/Internal/Generated)
#   update-openapi   rewrite api-specs/openapi.json from the running host's Swagger document
#   lint-openapi     lint api-specs/openapi.json with Spectral (.spectral.yml)
#   test             run every test (the README's test command)
set -euo pipefail
cd "$(dirname "$0")"

case "${1:-}" in
  codegen)
    rm -rf src/ForecastLedger.Api/Internal/Generated
    dotnet run --project src/ForecastLedger.Api -- codegen write
    ;;
  update-openapi)
    FORECASTLEDGER_UPDATE_OPENAPI=1 dotnet test tests/ForecastLedger.IntegrationTests \
      --filter "FullyQualifiedName~openapi_matches_committed_spec"
    ;;
  lint-openapi)
    npx --yes @stoplight/spectral-cli@6 lint api-specs/openapi.json --ruleset .spectral.yml --fail-severity=warn
    ;;
  test)
    dotnet test ForecastLedger.sln
    ;;
  *)
    sed -n '2,7p' "$0"
    exit 2
    ;;
esac
