#!/usr/bin/python3
"""PyTorch-eager twin of the StochasticBackprop benchmark workloads W1-W6.

Written the way a PyTorch user would write each estimator by hand (float64, one thread),
returning per-sample gradients like the library does, then ending each estimate with
surrogate.backward() into the distribution's parameters.

Run standalone (`python3 pytorch_twin.py --selftest`) or as a long-lived server driven by the
C# `compare` command: one command per line on stdin, one JSON line per reply on stdout:
    run W1 K      -> {"cpu_ms": [...], "wall_ms": [...]}  (time.process_time / perf_counter per estimate)
    stats W1      -> {"stats": [[name, mean, standard_error], ...], "lambda": x or null}
    rss           -> {"rss_mb": x}
    quit
"""
import json
import math
import os
import sys
import time

import torch

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)
F64 = torch.float64

N_CONTINUOUS = 100_000
S_BERNOULLI = 1_000
D_BERNOULLI = 100
RIDGE = 1e-12

# W1-W3: q = N(theta, sigma = exp(alpha*theta)); theta requires grad, alpha does not.
theta = torch.tensor(0.8, dtype=F64, requires_grad=True)
alpha = torch.tensor(2.0, dtype=F64)
# W4: Gamma(k = 2, scale theta = 1.5).
gamma_k = torch.tensor(2.0, dtype=F64, requires_grad=True)
gamma_theta = torch.tensor(1.5, dtype=F64, requires_grad=True)
# W5-W6: Bernoulli with p_j = 0.3 + 0.4 j/(d-1), a leaf requiring grad.
p = (0.3 + 0.4 * torch.arange(D_BERNOULLI, dtype=F64) / (D_BERNOULLI - 1)).requires_grad_()

generators = {w: torch.Generator().manual_seed(1000 + i) for i, w in enumerate(["W1", "W2", "W3", "W4", "W5", "W6"])}


def clipped_quadratic(z):
    """f(z) = min(z^2/2, 2) per sample (z is [N])."""
    return torch.clamp(0.5 * z * z, max=2.0)


def shifted_quadratic(z):
    """f(z) = (z - 1)^2 per sample."""
    return (z - 1.0) ** 2


def bernoulli_objective(z):
    """f(z) = sum_j (z_j - 0.45)^2, [S, d] -> [S]."""
    return ((z - 0.45) ** 2).sum(-1)


def coupled_log_prob(leaf, z):
    return torch.distributions.Normal(leaf, torch.exp(alpha * leaf), validate_args=False).log_prob(z)


def finish(pairs):
    """surrogate = sum_p (param * mean per-sample gradient); backward puts the estimate into param.grad."""
    surrogate = sum((param * g.mean(0)).sum() for param, g in pairs)
    surrogate.backward()


def per_sample_leaf(param, shape):
    """Per-sample copies of a parameter (an expanded view, no copy) whose gradient lands row by row."""
    return param.detach().expand(shape).requires_grad_()


def pathwise_parts(n, g):
    eps = torch.randn(n, generator=g, dtype=F64)
    leaf = per_sample_leaf(theta, (n,))
    z = leaf + torch.exp(alpha * leaf) * eps
    fz = clipped_quadratic(z)
    (g_p,) = torch.autograd.grad(fz.sum(), leaf)
    return leaf, z.detach(), fz.detach(), g_p


def score_parts(leaf, z, fz):
    (score,) = torch.autograd.grad(coupled_log_prob(leaf, z).sum(), leaf)
    return fz * score


def w1_hybrid(g):
    leaf, z, fz, g_p = pathwise_parts(N_CONTINUOUS, g)
    g_s = score_parts(leaf, z, fz)          # same z, same leaf (the score graph is separate)
    dp = g_p - g_p.mean()
    ds = g_s - g_s.mean()
    n1 = N_CONTINUOUS - 1
    var_p = (dp * dp).sum() / n1
    var_s = (ds * ds).sum() / n1
    cov = (dp * ds).sum() / n1
    lam = ((var_s - cov) / (var_p + var_s - 2 * cov + RIDGE * (var_p + var_s))).clamp(0.0, 1.0)
    g_h = lam * g_p + (1 - lam) * g_s
    return g_h, lam


def w2_pathwise(g):
    return pathwise_parts(N_CONTINUOUS, g)[3]


def w3_score(g):
    with torch.no_grad():
        eps = torch.randn(N_CONTINUOUS, generator=g, dtype=F64)
        z = theta + torch.exp(alpha * theta) * eps
    fz = clipped_quadratic(z)
    leaf = per_sample_leaf(theta, (N_CONTINUOUS,))
    return score_parts(leaf, z, fz)


def gamma_cumulant_gradients(order):
    """d kappa_n / d(k, theta) / n! for n = 1..order; kappa_n = k theta^n (n-1)! (autograd on scalars)."""
    out = []
    for n in range(1, order + 1):
        kappa = gamma_k * gamma_theta ** n * math.factorial(n - 1)
        dk, dt = torch.autograd.grad(kappa, [gamma_k, gamma_theta])
        out.append((dk / math.factorial(n), dt / math.factorial(n)))
    return out


def w4_fourier(g, order=4):
    with torch.no_grad():
        z = torch._standard_gamma(gamma_k.detach().expand(N_CONTINUOUS), generator=g) * gamma_theta.detach()
    z = z.requires_grad_()
    # d^n f / dz^n by repeated autograd (f is separable: one backward pass per order).
    derivatives = []
    current = shifted_quadratic(z).sum()
    for _ in range(order):
        if current.requires_grad:
            (d,) = torch.autograd.grad(current, z, create_graph=True, allow_unused=True)
        else:
            d = None
        if d is None:
            d = torch.zeros_like(z)
        derivatives.append(d.detach())
        current = d.sum()
    g_k = torch.zeros(N_CONTINUOUS, dtype=F64)
    g_t = torch.zeros(N_CONTINUOUS, dtype=F64)
    for (ck, ct), d in zip(gamma_cumulant_gradients(order), derivatives):
        g_k += ck * d
        g_t += ct * d
    return g_k, g_t


def sample_bernoulli(g):
    with torch.no_grad():
        return torch.bernoulli(p.detach().expand(S_BERNOULLI, D_BERNOULLI), generator=g)


def w5_local_expectation(g):
    z = sample_bernoulli(g)
    local = torch.empty(S_BERNOULLI, D_BERNOULLI, 2, dtype=F64)
    with torch.no_grad():
        for j in range(D_BERNOULLI):
            for k, v in enumerate((0.0, 1.0)):
                moved = z.clone()
                moved[:, j] = v
                local[:, j, k] = bernoulli_objective(moved)
    # sum_j sum_k d P(z_j = v_k)/dp_j * f(z_-j, v_k), per sample, by autograd through the probability table.
    leaf = per_sample_leaf(p, (S_BERNOULLI, D_BERNOULLI))
    table = torch.stack([1 - leaf, leaf], dim=-1)
    (g_p,) = torch.autograd.grad((table * local).sum(), leaf)
    return g_p


def w6_score(g):
    z = sample_bernoulli(g)
    fz = bernoulli_objective(z)
    leaf = per_sample_leaf(p, (S_BERNOULLI, D_BERNOULLI))
    log_prob = torch.distributions.Bernoulli(probs=leaf, validate_args=False).log_prob(z)
    (score,) = torch.autograd.grad(log_prob.sum(), leaf)
    return fz.unsqueeze(1) * score


def estimate(w):
    """One estimate: per-sample gradients, then surrogate.backward(). Returns the per-sample gradients."""
    g = generators[w]
    if w == "W1":
        g_h, lam = w1_hybrid(g)
        finish([(theta, g_h)])
        return {"d/dtheta": g_h}, lam
    if w == "W2":
        g_p = w2_pathwise(g)
        finish([(theta, g_p)])
        return {"d/dtheta": g_p}, None
    if w == "W3":
        g_s = w3_score(g)
        finish([(theta, g_s)])
        return {"d/dtheta": g_s}, None
    if w == "W4":
        g_k, g_t = w4_fourier(g)
        finish([(gamma_k, g_k), (gamma_theta, g_t)])
        return {"d/dk": g_k, "d/dtheta": g_t}, None
    if w == "W5":
        g_p = w5_local_expectation(g)
        finish([(p, g_p)])
        return {"sum_j d/dp_j": g_p.sum(1)}, None
    if w == "W6":
        g_p = w6_score(g)
        finish([(p, g_p)])
        return {"sum_j d/dp_j": g_p.sum(1)}, None
    raise ValueError("unknown workload " + w)


def run(w, k):
    cpu, wall = [], []
    for _ in range(k):
        c0, t0 = time.process_time(), time.perf_counter()
        estimate(w)
        c1, t1 = time.process_time(), time.perf_counter()
        cpu.append((c1 - c0) * 1e3)
        wall.append((t1 - t0) * 1e3)
    return {"cpu_ms": cpu, "wall_ms": wall}


def stats(w):
    per_sample, lam = estimate(w)
    out = []
    for name, g in per_sample.items():
        g = g.detach()
        out.append([name, g.mean().item(), math.sqrt(g.var().item() / g.shape[0])])
    return {"stats": out, "lambda": None if lam is None else lam.item()}


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def serve():
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        try:
            if parts[0] == "quit":
                break
            if parts[0] == "run":
                reply = run(parts[1], int(parts[2]))
            elif parts[0] == "stats":
                reply = stats(parts[1])
            elif parts[0] == "rss":
                reply = {"rss_mb": rss_mb()}
            else:
                reply = {"error": "unknown command " + parts[0]}
        except Exception as e:  # report, keep serving
            reply = {"error": repr(e)}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    if "--selftest" in sys.argv:
        for w in ["W1", "W2", "W3", "W4", "W5", "W6"]:
            r = run(w, 3)
            print(w, stats(w), "cpu ms", ["%.1f" % c for c in r["cpu_ms"]])
    else:
        serve()
