#!/usr/bin/env bash
set -euo pipefail
# export LUMA_AGENTS_API_KEY=luma-api-…  LUMA_BASE_URL=http://127.0.0.1:8080/v1

# Generate, wait and download in one step; prints the file's path.
atelier generate "A glass of iced coffee on a marble countertop" --aspect-ratio 1:1 --out coffee.png

# Edit a local file (sent inline as base64), keeping the generation's JSON for scripts.
id=$(atelier generate "make it sunset" --type image_edit --source coffee.png --out sunset.jpg --format jpeg --json \
  | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).generation.id')

# The official CLI's syntax works unchanged: a GJSON --transform and -r print the bare URL.
luma-agents-cli generations get --generation-id "$id" --transform output.0.url -r
luma-agents-cli generations get --generation-id "$id" --format jsonl
