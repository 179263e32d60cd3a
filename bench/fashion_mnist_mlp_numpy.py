# An independent NumPy implementation of examples/models/fashion-mnist-mlp.yaml (784-256-128-10 ReLU,
# He-normal weights, zero biases, softmax cross-entropy, Adam in PyTorch's arithmetic at 1e-3, batch 128,
# 5 epochs), to tell the spread of the final test accuracy over seeds from an engine fault.
# Usage: python3 bench/fashion_mnist_mlp_numpy.py SEED raw|norm   (norm: standardized pixels)
import gzip, sys, time
import numpy as np
def idx(p):
    with gzip.open(p) as f:
        d = f.read()
    nd = d[3]; dims = [int.from_bytes(d[4+4*i:8+4*i], 'big') for i in range(nd)]
    return np.frombuffer(d, np.uint8, offset=4+4*nd).reshape(dims)
D = '/usr/share/datasets/fashion-mnist/'
Xtr = idx(D+'train-images-idx3-ubyte.gz').reshape(60000, 784) / 255.0
ytr = idx(D+'train-labels-idx1-ubyte.gz').astype(int)
Xte = idx(D+'t10k-images-idx3-ubyte.gz').reshape(10000, 784) / 255.0
yte = idx(D+'t10k-labels-idx1-ubyte.gz').astype(int)
seed = int(sys.argv[1]); norm = sys.argv[2] == 'norm'
if norm:
    m, s = Xtr.mean(), Xtr.std(); Xtr = (Xtr - m) / s; Xte = (Xte - m) / s
rng = np.random.default_rng(seed)
sizes = [784, 256, 128, 10]
W = [rng.normal(0, np.sqrt(2 / a), (a, b)) for a, b in zip(sizes, sizes[1:])]
B = [np.zeros(b) for b in sizes[1:]]
P = W + B
M = [np.zeros_like(p) for p in P]; V = [np.zeros_like(p) for p in P]
lr, b1, b2, eps, t = 1e-3, 0.9, 0.999, 1e-8, 0
t0 = time.time()
for epoch in range(5):
    order = rng.permutation(60000)
    for i in range(0, 60000, 128):
        idxs = order[i:i+128]; X = Xtr[idxs]; y = ytr[idxs]; n = len(idxs)
        Z1 = X @ W[0] + B[0]; A1 = np.maximum(Z1, 0)
        Z2 = A1 @ W[1] + B[1]; A2 = np.maximum(Z2, 0)
        Z3 = A2 @ W[2] + B[2]
        Z3 = Z3 - Z3.max(1, keepdims=True); Pr = np.exp(Z3); Pr /= Pr.sum(1, keepdims=True)
        dZ3 = Pr.copy(); dZ3[np.arange(n), y] -= 1; dZ3 /= n
        gW2 = A2.T @ dZ3; gB2 = dZ3.sum(0)
        dA2 = dZ3 @ W[2].T; dZ2 = dA2 * (Z2 > 0)
        gW1 = A1.T @ dZ2; gB1 = dZ2.sum(0)
        dA1 = dZ2 @ W[1].T; dZ1 = dA1 * (Z1 > 0)
        gW0 = X.T @ dZ1; gB0 = dZ1.sum(0)
        G = [gW0, gW1, gW2, gB0, gB1, gB2]
        t += 1
        for k in range(6):
            M[k] = b1 * M[k] + (1 - b1) * G[k]; V[k] = b2 * V[k] + (1 - b2) * G[k] ** 2
            P[k] -= (lr / (1 - b1 ** t)) * M[k] / (np.sqrt(V[k]) / np.sqrt(1 - b2 ** t) + eps)
    A = np.maximum(np.maximum(Xte @ W[0] + B[0], 0) @ W[1] + B[1], 0) @ W[2] + B[2]
    print(f"seed {seed} {'norm' if norm else 'raw'} epoch {epoch+1}: test accuracy {100*(A.argmax(1) == yte).mean():.2f}%  ({time.time()-t0:.0f} s)", flush=True)
