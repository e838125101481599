#!/usr/bin/env bash
# Placeholder: filled in by the dashboard work (offline Leaflet assets from npm).
set -euo pipefail
