#!/usr/bin/env bash
# Idempotent set-up for a fresh machine with Node 20 and npm: Debian data packages
# (when root), pnpm, and the workspace's npm dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -d /usr/share/libonnx-testdata/data/node ] || need+=(libonnx-testdata)
[ -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ] || need+=(dataset-fashion-mnist)
# tests/accuracy: speech (espeak-ng, sox) and text-line images (imagemagick, fonts) for the VAD and OCR tests
command -v espeak-ng >/dev/null || need+=(espeak-ng)
command -v sox >/dev/null || need+=(sox)
[ -x /usr/bin/convert ] || need+=(imagemagick)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages: ${need[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "setup: missing Debian packages ${need[*]}; run: sudo apt-get install ${need[*]}" >&2
  fi
fi

if ! command -v pnpm >/dev/null; then
  echo "setup: installing pnpm 9" >&2
  npm i -g pnpm@9 >/dev/null 2>&1 || { echo "setup: 'npm i -g pnpm@9' failed; install pnpm 9 and retry" >&2; exit 1; }
fi
if [ ! -f node_modules/.modules.yaml ] || [ pnpm-lock.yaml -nt node_modules/.modules.yaml ]; then
  pnpm install --frozen-lockfile --reporter=silent
fi
