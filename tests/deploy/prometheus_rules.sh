#!/usr/bin/env bash
# deploy/prometheus/: the config and rule files are valid (promtool check) and every recording
# rule and alert behaves as its unit tests say (promtool test rules: each alert firing and not
# firing). Exit 77 (ctest: skipped) only when promtool is absent; scripts/deps installs it.
set -euo pipefail
dir=${1:?usage: prometheus_rules.sh DEPLOY_PROMETHEUS_DIR}
if ! command -v promtool >/dev/null; then
  echo "promtool not found (Debian package prometheus): skipped"
  exit 77
fi
cd "$dir"
promtool check config prometheus.yml
promtool check rules seckill.rules.yml seckill.alerts.yml
promtool test rules seckill.rules.test.yml
