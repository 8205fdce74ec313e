"""Benchmark `gmmbook.em` against scikit-learn's `GaussianMixture` (full covariances).

Run from the repository root:

    .venv/bin/python benchmarks/bench_em.py            # the full run (a few minutes on 2 busy cores)
    .venv/bin/python benchmarks/bench_em.py --quick    # a smoke run (seconds)

It measures, in one process and under the same BLAS thread settings for both libraries:

1. time: `gmmbook.em` and `sklearn.mixture.GaussianMixture.fit` on the same data (N = 200,000, D = 8,
   K = 8), from the same start (weights, means, precisions), for the same number of iterations
   (tol = 0, so neither stops early) and the same reg_covar, in repeats that alternate which library
   runs first; it reports the median of the paired ratios gmmbook / sklearn and their spread;
2. fairness: the same fit, to 1e-12 relative: scikit-learn's whole log-likelihood trace (one value per
   iteration) and its final weights, means and covariances (else the script exits with status 1);
3. memory: the peak of the bytes `em` allocates during the call (tracemalloc), relative to the bytes of
   X plus one (N, K) float64 array of responsibilities;
4. scaling: the time per iteration of `em` for N = 50k … 800k, and the fitted exponent of t ∝ N^a.

The targets are issue 13's: ratio ≤ 0.2, exponent ≤ 1.02, memory ≤ 1.2 × (X + resp).

Performance is measured here, never asserted in the unit tests.  See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import tracemalloc
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_info, threadpool_limits

import gmmbook

#: Environment variables that change BLAS behaviour; reported, never changed by this script.
BLAS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

FULL = dict(n=200_000, d=8, k=8, iters=20, repeats=7, scaling_ns=(50_000, 100_000, 200_000, 400_000, 800_000),
            scaling_iters=10, scaling_repeats=3)
QUICK = dict(n=20_000, d=8, k=8, iters=5, repeats=3, scaling_ns=(5_000, 10_000, 20_000, 40_000, 80_000),
             scaling_iters=5, scaling_repeats=2)

#: Relative difference (log-likelihoods; parameters normwise, max|Δ| / max|ref|) above which the
#: two libraries did not compute the same fit.
SAME_FIT_RTOL = 1e-12
#: Issue 13's targets.
RATIO_TARGET, EXPONENT_TARGET, MEMORY_TARGET = 0.2, 1.02, 1.2


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run (N = 20k, 5 iterations)")
    parser.add_argument("--repeats", type=int, help="interleaved repeats of the gmmbook/sklearn comparison")
    parser.add_argument("--iters", type=int, help="EM iterations per fit")
    parser.add_argument("--threads", type=int, default=None,
                        help="limit every BLAS/OpenMP pool to this many threads (default: leave as found)")
    parser.add_argument("--no-scaling", action="store_true", help="skip the N = 50k … 800k scaling table")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    config = dict(QUICK if args.quick else FULL)
    if args.repeats is not None:
        config["repeats"] = args.repeats
    if args.iters is not None:
        config["iters"] = args.iters
    if config["repeats"] < 1 or config["iters"] < 1:
        parser.error("--repeats and --iters must be at least 1")
    args.config = config
    return args


# --------------------------------------------------------------------------------------------- data


def make_problem(n: int, d: int, k: int, rng: np.random.Generator) -> tuple[np.ndarray, gmmbook.GMM]:
    """Data from a random K-component mixture, and a start: K distinct data points as means,
    the covariance of all the data for every component, equal weights."""
    means = rng.normal(scale=3.0, size=(k, d))
    A = rng.normal(size=(k, d, d))
    covariances = A @ A.transpose(0, 2, 1) / d + 0.5 * np.eye(d)
    truth = gmmbook.GMM(rng.dirichlet(np.full(k, 5.0)), means, covariances)
    X, _ = gmmbook.sample(truth, n, rng)
    start = gmmbook.GMM(
        np.full(k, 1.0 / k),
        X[rng.choice(min(n, 50_000), size=k, replace=False)],
        np.broadcast_to(np.cov(X[:50_000].T), (k, d, d)),
    )
    return X, start


def sklearn_model(start: gmmbook.GMM, iters: int, reg_covar: float) -> GaussianMixture:
    """GaussianMixture that starts from `start` and runs exactly `iters` iterations.

    init_params="random_from_data" only avoids a k-means run: the initial responsibilities it draws
    are replaced by weights_init, means_init and precisions_init before the first E-step.
    """
    return GaussianMixture(
        n_components=start.K,
        covariance_type="full",
        tol=0.0,
        reg_covar=reg_covar,
        max_iter=iters,
        n_init=1,
        init_params="random_from_data",
        weights_init=start.weights,
        means_init=start.means,
        precisions_init=np.linalg.inv(start.covariances),
        random_state=0,
    )


# ------------------------------------------------------------------------------------------ helpers


def timed(f):
    t0 = time.perf_counter()
    value = f()
    return time.perf_counter() - t0, value


def spread(values) -> str:
    """'median [min … max]' of a list of numbers."""
    values = np.asarray(values)
    return f"{np.median(values):.3f} [{values.min():.3f} … {values.max():.3f}]"


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    line = lambda cells: "  ".join(c.rjust(w) for c, w in zip(cells, widths))  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def report_environment(threads) -> None:
    print(f"gmmbook benchmark: Python {platform.python_version()}, NumPy {np.__version__}, "
          f"scikit-learn {sklearn.__version__}, {os.cpu_count()} CPUs, {platform.machine()}")
    print("BLAS environment: " + ", ".join(f"{name}={os.environ.get(name, '(unset)')}" for name in BLAS_ENV))
    print(f"thread setting: {'as found' if threads is None else f'every pool limited to {threads}'}"
          " (the same for both libraries: one process, shared pools)")
    for pool in threadpool_info():
        print(f"  {pool['user_api']:7s} {pool['internal_api']:9s} {pool.get('version') or '':>14s}  "
              f"threads={pool['num_threads']}  {pool.get('architecture', '')}  {os.path.basename(pool['filepath'])}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


# ------------------------------------------------------------------------------------------- stages


def compare_with_sklearn(X, start, iters, repeats, reg_covar=1e-6):
    N = X.shape[0]
    times = {"gmmbook": [], "sklearn": []}
    ratios = []
    for r in range(repeats):
        order = ("gmmbook", "sklearn") if r % 2 == 0 else ("sklearn", "gmmbook")
        run = {}
        for name in order:
            if name == "gmmbook":
                run[name], ours = timed(lambda: gmmbook.em(X, start, max_iter=iters, tol=0.0, reg_covar=reg_covar))
            else:
                model = sklearn_model(start, iters, reg_covar)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)  # tol = 0: "did not converge" by design
                    run[name], _ = timed(lambda: model.fit(X))
        for name in times:
            times[name].append(run[name])
        ratios.append(run["gmmbook"] / run["sklearn"])
        print(f"  repeat {r + 1}/{repeats} ({order[0]} first): gmmbook {run['gmmbook']:.3f} s, "
              f"sklearn {run['sklearn']:.3f} s, ratio {ratios[-1]:.3f}", flush=True)

    # Fairness: the same fit.  sklearn's lower_bound_ is the mean log-likelihood at the parameters
    # *before* its last M-step; score() evaluates the final parameters.
    assert ours.n_iter == iters and model.n_iter_ == iters, (ours.n_iter, model.n_iter_)
    trace = sklearn_trace(X, start, iters, reg_covar)
    ours_trace = np.append(ours.log_likelihoods[:iters] / N, ours.log_likelihood / N)
    theirs_trace = np.append(trace, model.score(X))
    diffs = {
        "log-likelihood trace": float(np.max(np.abs(ours_trace - theirs_trace) / np.abs(theirs_trace))),
        "weights": normwise(ours.gmm.weights, model.weights_),
        "means": normwise(ours.gmm.means, model.means_),
        "covariances": normwise(ours.gmm.covariances, model.covariances_),
    }
    return dict(times=times, ratios=ratios, ours_final=ours_trace[-1], theirs_final=theirs_trace[-1],
                ours_before_last=ours_trace[-2], theirs_before_last=model.lower_bound_, diffs=diffs,
                trace_length=len(ours_trace))


def normwise(actual, expected) -> float:
    """max|actual − expected| / max|expected|."""
    return float(np.max(np.abs(actual - expected)) / np.max(np.abs(expected)))


def sklearn_trace(X, start, iters, reg_covar) -> np.ndarray:
    """sklearn's mean log-likelihood at θ_0 … θ_{iters − 1}: warm-started fits of one iteration each
    (each runs one E-step, whose log-likelihood is lower_bound_, and one M-step)."""
    model = sklearn_model(start, 1, reg_covar).set_params(warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return np.array([model.fit(X).lower_bound_ for _ in range(iters)])


def peak_memory(fit) -> int:
    """Peak bytes allocated (and traced by tracemalloc) during `fit()`, above what was allocated before."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        fit()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - before


def scaling(X_all, start, ns, iters, repeats):
    """Wall and CPU (process) time per iteration for each N, and the fitted exponents of t ∝ N^a.

    With one BLAS thread the process's CPU time is the work done, whatever else runs on the machine;
    the wall time adds the time the process waited for a core."""
    per_iter = {n: [] for n in ns}
    cpu_per_iter = {n: [] for n in ns}
    for _ in range(repeats):            # repeats outermost: every N sees the same mix of machine load
        for n in ns:
            cpu0 = time.process_time()
            t, _ = timed(lambda: gmmbook.em(X_all[:n], start, max_iter=iters, tol=0.0, reg_covar=1e-6))
            cpu_per_iter[n].append((time.process_time() - cpu0) / iters)
            per_iter[n].append(t / iters)

    def exponent(times):
        return float(np.polyfit(np.log(ns), np.log(times), 1)[0])

    medians = np.array([np.median(per_iter[n]) for n in ns])
    minima = np.array([np.min(per_iter[n]) for n in ns])
    cpu_medians = np.array([np.median(cpu_per_iter[n]) for n in ns])
    return per_iter, medians, cpu_medians, exponent(medians), exponent(minima), exponent(cpu_medians)


# --------------------------------------------------------------------------------------------- main


def main(argv=None) -> int:
    args = parse_args(argv)
    c = args.config
    with threadpool_limits(limits=args.threads):
        report_environment(args.threads)
        rng = np.random.default_rng(args.seed)
        # One sample for every stage (also with --no-scaling, so that the problem never changes).
        X_all, start = make_problem(max(c["n"], *c["scaling_ns"]), c["d"], c["k"], rng)
        X = np.ascontiguousarray(X_all[: c["n"]])
        N, D = X.shape
        K = start.K
        print(f"\nproblem: N = {N:,}, D = {D}, K = {K}, full covariances, {c['iters']} iterations, tol = 0, "
              f"reg_covar = 1e-6, {c['repeats']} interleaved repeats")

        # Warm-up (imports, first-touch of pages, BLAS thread start-up), not timed.
        gmmbook.em(X[:2000], start, max_iter=2, tol=0.0, reg_covar=1e-6)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            sklearn_model(start, 2, 1e-6).fit(X[:2000])

        print("\n1. time, gmmbook.em vs sklearn GaussianMixture.fit")
        cmp = compare_with_sklearn(X, start, c["iters"], c["repeats"])
        ms = {name: 1e3 * np.array(t) / c["iters"] for name, t in cmp["times"].items()}
        print()
        print(table(
            ["", "median", "min", "max"],
            [[f"{name} ms/iteration", f"{np.median(v):.1f}", f"{v.min():.1f}", f"{v.max():.1f}"] for name, v in ms.items()]
            + [["ratio gmmbook/sklearn", *(f"{f(cmp['ratios']):.3f}" for f in (np.median, np.min, np.max))]],
        ))
        q1, q3 = np.percentile(cmp["ratios"], [25, 75])
        ratio = float(np.median(cmp["ratios"]))
        print(f"ratio: median {ratio:.3f} of {len(cmp['ratios'])} alternating repeats, interquartile range "
              f"{q1:.3f} … {q3:.3f}  (target ≤ {RATIO_TARGET}: {'met' if ratio <= RATIO_TARGET else 'MISSED'})")
        print("  (ms/iteration = wall time of the whole call / iterations.  gmmbook's call holds one extra E-step,"
              "\n   sklearn's one extra M-step from its initialisation plus one extra E-step for its labels.)")

        print("\n2. the same fit?")
        print(f"  mean log-likelihood, final θ:          gmmbook {cmp['ours_final']:.15f}   sklearn score() "
              f"{cmp['theirs_final']:.15f}")
        print(f"  mean log-likelihood, before last M:    gmmbook {cmp['ours_before_last']:.15f}   sklearn lower_bound_ "
              f"{cmp['theirs_before_last']:.15f}")
        for what, diff in cmp["diffs"].items():
            print(f"  largest relative difference, {what + ':':22s} {diff:.1e}")
        worst = max(cmp["diffs"].values())
        fair = worst <= SAME_FIT_RTOL
        print(f"  (the trace: {cmp['trace_length']} mean log-likelihoods, θ_0 … θ_{c['iters']}; parameters normwise, "
              f"max|Δ| / max|sklearn|)\n  largest {worst:.1e} (must be ≤ {SAME_FIT_RTOL:g}): "
              f"{'same fit' if fair else 'NOT THE SAME FIT'}")

        print("\n3. peak memory during em (tracemalloc)")
        baseline = X.nbytes + N * K * 8
        ours = peak_memory(lambda: gmmbook.em(X, start, max_iter=c["iters"], tol=0.0, reg_covar=1e-6))
        model = sklearn_model(start, c["iters"], 1e-6)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            theirs = peak_memory(lambda: model.fit(X))
        memory_ratio = ours / baseline
        print(f"  X + resp = {baseline / 1e6:.1f} MB")
        print(f"  gmmbook.em  peak extra {ours / 1e6:6.1f} MB = {memory_ratio:.2f} × (X + resp)  "
              f"(target ≤ {MEMORY_TARGET}: {'met' if memory_ratio <= MEMORY_TARGET else 'MISSED'})")
        print(f"  sklearn fit peak extra {theirs / 1e6:6.1f} MB = {theirs / baseline:.2f} × (X + resp)  (for information)")

        if not args.no_scaling:
            ns, iters = c["scaling_ns"], c["scaling_iters"]
            print(f"\n4. scaling of gmmbook.em with N (D = {D}, K = {K}, {iters} iterations, "
                  f"median of {c['scaling_repeats']} interleaved repeats)")
            per_iter, medians, cpu_medians, exponent, exponent_of_minima, cpu_exponent = scaling(
                X_all, start, ns, iters, c["scaling_repeats"])
            rows = []
            for n, med, cpu in zip(ns, medians, cpu_medians):
                v = 1e3 * np.array(per_iter[n])
                rows.append([f"{n:,}", f"{1e3 * med:.1f}", f"{v.min():.1f} … {v.max():.1f}", f"{1e3 * cpu:.1f}",
                             f"{1e9 * cpu / n:.0f}", f"{cpu / cpu_medians[0] * ns[0] / n:.2f}"])
            print(table(["N", "wall ms/iteration", "range", "CPU ms/iteration", "CPU ns/point/iter",
                         "relative CPU cost per point"], rows))
            print(f"fitted exponent a in t ∝ N^a (1.00 = linear): wall time {exponent:.3f} from the medians, "
                  f"{exponent_of_minima:.3f} from the minima;\n  CPU time {cpu_exponent:.3f} from the medians  "
                  f"(target ≤ {EXPONENT_TARGET}: wall {'met' if exponent <= EXPONENT_TARGET else 'MISSED'}, "
                  f"CPU {'met' if cpu_exponent <= EXPONENT_TARGET else 'MISSED'})")

        print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if fair else 1


if __name__ == "__main__":
    sys.exit(main())
