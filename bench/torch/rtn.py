"""
PyTorch side of the rtn bench (bench/cases/rtn.ts): a long-lived child process that the
bench drives over stdin/stdout, one command per line, one JSON reply per line, so that
PyTorch and quantpass runs can alternate in time (round-robin) under the same machine load.

    load <path> <rows> <cols>   raw little-endian f32 weight [rows, cols] (rows = output channels)
    threads <n>                 torch.set_num_threads(n)
    run <kind> [threads]        one timed run (torch.set_num_threads(threads) first when given);
                                reply {"ms": ...} (time.perf_counter around the computation)
    dump <kind> <prefix>        one timed run that also writes <prefix>.q (int8 values, row-major)
                                and <prefix>.scale (f32); reply {"ms": ...} (the computation only)
    quit

kinds (symmetric round-to-nearest, the arithmetic of quantpass's rtn + fold-to-int):
    int8-channel   scale = max(absmax(row) / 127, eps); q = round(w / scale).clamp(-128, 127) as int8
    int4-g128      w viewed as [rows, cols/128, 128]; scale = max(absmax(group) / 7, eps);
                   q = round(w / scale).clamp(-8, 7) as int8 (one value a byte: no nibble packing)

torch.round rounds half to even; w / scale is a float32 division; eps = float32 eps =
2^-23 (quantpass's ZERO_RANGE_SCALE floor).
"""
import json
import sys
import time

import numpy as np
import torch

EPS = torch.finfo(torch.float32).eps


def int8_channel(w):
    scale = (w.abs().amax(dim=1, keepdim=True) / 127).clamp(min=EPS)
    q = torch.round(w / scale).clamp(-128, 127).to(torch.int8)
    return q, scale


def int4_g128(w):
    rows, cols = w.shape
    wg = w.reshape(rows, cols // 128, 128)
    scale = (wg.abs().amax(dim=2, keepdim=True) / 7).clamp(min=EPS)
    q = torch.round(wg / scale).clamp(-8, 7).to(torch.int8)
    return q, scale


KINDS = {"int8-channel": int8_channel, "int4-g128": int4_g128}


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    w = None
    reply({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()})
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        cmd = parts[0]
        try:
            if cmd == "load":
                rows, cols = int(parts[2]), int(parts[3])
                w = torch.from_numpy(np.fromfile(parts[1], dtype="<f4").reshape(rows, cols))
                reply({"ok": True})
            elif cmd == "threads":
                torch.set_num_threads(int(parts[1]))
                reply({"ok": True, "threads": torch.get_num_threads()})
            elif cmd == "run":
                f = KINDS[parts[1]]
                if len(parts) > 2:
                    torch.set_num_threads(int(parts[2]))
                t0 = time.perf_counter()
                f(w)
                reply({"ms": (time.perf_counter() - t0) * 1000})
            elif cmd == "dump":
                f = KINDS[parts[1]]
                t0 = time.perf_counter()
                q, scale = f(w)
                ms = (time.perf_counter() - t0) * 1000
                q.contiguous().numpy().tofile(parts[2] + ".q")
                scale.contiguous().numpy().astype("<f4").tofile(parts[2] + ".scale")
                reply({"ms": ms})
            elif cmd == "quit":
                reply({"ok": True})
                return
            else:
                reply({"error": "unknown command " + cmd})
        except Exception as e:  # the bench reports it as the row's note
            reply({"error": "%s: %s" % (type(e).__name__, e)})


if __name__ == "__main__":
    main()
