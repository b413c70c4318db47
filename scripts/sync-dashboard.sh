#!/usr/bin/env bash
# Copies grafana/dashboard.json (the source) into the chart, which can only read files inside itself.
# test/chart checks that the two stay identical.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cp "$root/grafana/dashboard.json" "$root/helm/sendpulse-monitor/dashboards/sendpulse-monitor.json"
