#!/usr/bin/env bash
# wait_for.sh URL SECONDS: waits until URL answers 200, or fails after SECONDS.
url=$1; deadline=$((SECONDS + ${2:-60}))
until curl -fsS -o /dev/null "$url" 2>/dev/null; do
  if (( SECONDS > deadline )); then echo "gave up waiting for $url" >&2; exit 1; fi
  sleep 1
done
