#!/usr/bin/python3
"""Reference step times of PyTorch on CPU for the trainer bench's configurations.

Same networks as `gradwatch bench trainer`: dense ReLU MLPs, input 784, 10 classes, softmax
cross-entropy, SGD with momentum 0.9, He init. Prints one JSON object per configuration with
the median step time over the timed steps. Needs Debian's python3-torch and
libopenblas0-pthread; threads are set to 2 (this machine's cores) unless --threads says otherwise.
"""
import argparse
import json
import statistics
import time

import torch

CONFIGS = [
    {"name": "d10-w256-b64", "depth": 10, "width": 256, "batch": 64},
    {"name": "d20-w256-b64", "depth": 20, "width": 256, "batch": 64},
    {"name": "d8-w1024-b128", "depth": 8, "width": 1024, "batch": 128},
]


def build(depth, width, dtype):
    layers, fan_in = [], 784
    for _ in range(depth - 1):
        lin = torch.nn.Linear(fan_in, width)
        torch.nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        layers += [lin, torch.nn.ReLU()]
        fan_in = width
    layers.append(torch.nn.Linear(fan_in, 10))
    return torch.nn.Sequential(*layers).to(dtype)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    dtype = getattr(torch, args.dtype)
    for cfg in CONFIGS:
        model = build(cfg["depth"], cfg["width"], dtype)
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        loss_fn = torch.nn.CrossEntropyLoss()
        x = torch.randn(cfg["batch"], 784, dtype=dtype)
        y = torch.randint(0, 10, (cfg["batch"],))
        times = []
        for i in range(args.warmup + args.steps):
            t0 = time.perf_counter()
            opt.zero_grad(set_to_none=False)
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            t1 = time.perf_counter()
            if i >= args.warmup:
                times.append((t1 - t0) * 1e3)
        print(json.dumps({"config": cfg["name"], "framework": "pytorch " + torch.__version__,
                          "dtype": args.dtype, "threads": args.threads,
                          "median_ms": round(statistics.median(times), 3),
                          "min_ms": round(min(times), 3), "max_ms": round(max(times), 3)}))


if __name__ == "__main__":
    main()
