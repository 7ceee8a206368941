#!/usr/bin/env bash
# The main job on a bundled real model: Fashion-MNIST test accuracy of the fmnist-cnn
# model, computed by quantpass's own cpu interpreter (reference: 0.8753).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
pnpm exec quantpass eval testdata/models/fmnist-cnn/model.onnx --data fashion-mnist "$@"
