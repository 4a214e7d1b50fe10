#!/bin/bash
# migrate_tap's assertions, run by a superuser, never use a function or
# operator another role created (test/scripts/capture.py says how).
#
# Runs inside the throw-away cluster of test/run.sh (PG* variables set).
set -uo pipefail
cd "$(dirname "$0")/../.."
exec /usr/bin/python3 test/scripts/capture.py
