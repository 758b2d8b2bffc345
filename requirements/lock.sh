#!/usr/bin/env bash
# Regenerates the hashed lock files from pyproject.toml, for CPython 3.11 on Linux x86_64:
#   test.lock   the runtime dependencies and the `test` extra (CI and the README's test command)
#   app.lock    the runtime dependencies alone, at the versions of test.lock (the Dockerfile)
#   build.lock  the build backend of [build-system] (the Dockerfile builds without isolation)
# pyproject.toml keeps its ranges for library use; the locks pin one tested set inside them.
#
#   requirements/lock.sh                            keep every pin that still fits pyproject.toml
#   requirements/lock.sh --upgrade                  move everything to the newest versions
#   requirements/lock.sh --upgrade-package fastapi  move one package (and what it needs)
#
# Needs uv (UV=/path/to/uv to name one): python3 -m venv /tmp/uv && /tmp/uv/bin/pip install uv
set -euo pipefail
cd "$(dirname "$0")/.."
uv="${UV:-uv}"
target=(--python-version 3.11 --python-platform x86_64-unknown-linux-gnu)
common=(--quiet --generate-hashes --custom-compile-command requirements/lock.sh "${target[@]}")

"$uv" pip compile pyproject.toml --extra test "${common[@]}" "$@" -o requirements/test.lock
"$uv" pip compile pyproject.toml "${common[@]}" -c requirements/test.lock -o requirements/app.lock
python3 -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")' \
  | "$uv" pip compile - "${common[@]}" "$@" -o requirements/build.lock
