"""L-BFGS: a quasi-Newton method that builds a curvature model from the last few steps, with an
optional strong-Wolfe line search — PyTorch's algorithm (itself after minFunc), step for step.

Unlike the other optimizers, `step(closure)` runs a whole inner optimisation (up to `max_iter`
iterations), re-evaluating the loss through `closure` as often as it needs:

    opt = md.optim.LBFGS(model.parameters(), line_search_fn="strong_wolfe")
    def closure():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        return loss
    opt.step(closure)

All parameters are treated as one flat vector θ with gradient g.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from minidl.autograd import Tensor, enable_grad, no_grad
from minidl.optim._validation import check_int, check_non_negative
from minidl.optim.optimizer import Optimizer

__all__ = ["LBFGS"]


def cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None) -> float:
    """The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2, clamped to
    `bounds` (default: between x1 and x2); their midpoint when the cubic has no minimum:

        d1 = g1 + g2 − 3 (f1 − f2)/(x1 − x2),   d2 = √(d1² − g1 g2)
        x* = x2 − (x2 − x1) (g2 + d2 − d1) / (g2 − g1 + 2 d2)        (for x1 ≤ x2)
    """
    lo, hi = bounds if bounds is not None else ((x1, x2) if x1 <= x2 else (x2, x1))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 * d1 - g1 * g2
    if d2_square < 0:
        return (lo + hi) / 2.0
    d2 = math.sqrt(d2_square)
    if x1 <= x2:
        x = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        x = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(x, lo), hi)


def strong_wolfe(evaluate, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """Find a step t along direction d satisfying the strong Wolfe conditions

        f(θ + t d) ≤ f(θ) + c1 t gᵀd          (sufficient decrease)
        |g(θ + t d)ᵀ d| ≤ c2 |gᵀd|             (the slope has flattened enough)

    `evaluate(t)` returns (loss, flat gradient) at θ + t d. Phase 1 grows t (by cubic
    extrapolation up to 10×) until an interval [t_prev, t] brackets an acceptable point; phase 2
    shrinks the bracket by cubic interpolation (keeping the new point at least 10% of the bracket
    from its ends) until a point satisfies both conditions. Returns (f, g, t, evaluations).
    """
    d_norm = float(np.abs(d).max())
    g = g.copy()
    f_new, g_new = evaluate(t)
    evals = 1
    gtd_new = float(g_new @ d)
    t_prev, f_prev, g_prev, gtd_prev = 0.0, f, g, gtd
    done = False
    ls_iter = 0
    # phase 1: bracketing
    while ls_iter < max_ls:
        if f_new > f + c1 * t * gtd or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        min_step, max_step = t + 0.01 * (t - t_prev), t * 10
        t_prev, t = (
            t,
            cubic_interpolate(
                t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step)
            ),
        )
        f_prev, g_prev, gtd_prev = f_new, g_new.copy(), gtd_new
        f_new, g_new = evaluate(t)
        evals += 1
        gtd_new = float(g_new @ d)
        ls_iter += 1
    if ls_iter == max_ls:  # out of evaluations: bracket from 0
        bracket, bracket_f, bracket_g = [0.0, t], [f, f_new], [g, g_new]

    # phase 2: zoom into the bracket
    insufficient_progress = False
    low, high = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = cubic_interpolate(
            bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]
        )
        # a point too close to an end of the bracket makes little progress: push it inwards
        top, bottom = max(bracket), min(bracket)
        eps = 0.1 * (top - bottom)
        if min(top - t, t - bottom) < eps:
            if insufficient_progress or t >= top or t <= bottom:
                t = top - eps if abs(t - top) < abs(t - bottom) else bottom + eps
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        f_new, g_new = evaluate(t)
        evals += 1
        gtd_new = float(g_new @ d)
        ls_iter += 1
        if f_new > f + c1 * t * gtd or f_new >= bracket_f[low]:
            # not a sufficient decrease: t becomes the high end
            bracket[high], bracket_f[high] = t, f_new
            bracket_g[high], bracket_gtd[high] = g_new.copy(), gtd_new
            low, high = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                # the minimum lies between low and t: the old low end becomes the high end
                bracket[high], bracket_f[high] = bracket[low], bracket_f[low]
                bracket_g[high], bracket_gtd[high] = bracket_g[low], bracket_gtd[low]
            bracket[low], bracket_f[low] = t, f_new
            bracket_g[low], bracket_gtd[low] = g_new.copy(), gtd_new
    return bracket_f[low], bracket_g[low], bracket[low], evals


class LBFGS(Optimizer):
    r"""L-BFGS (Nocedal, 1980; Liu & Nocedal, 1989), PyTorch's algorithm.

    Keeps the last m = `history_size` pairs s_k = θ_{k+1} − θ_k, y_k = g_{k+1} − g_k (only those
    with curvature yᵀs > 10⁻¹⁰) and computes the direction d = −H g, H ≈ (∇²L)⁻¹, by the
    two-loop recursion, without ever forming a matrix::

        q ← −g
        for k = newest … oldest:  a_k = ρ_k s_kᵀ q;  q ← q − a_k y_k        (ρ_k = 1 / y_kᵀ s_k)
        r ← γ q,  γ = yᵀs / yᵀy of the newest pair                          (the initial H₀ = γ I)
        for k = oldest … newest:  b = ρ_k y_kᵀ r;   r ← r + (a_k − b) s_k
        d = r

    The first iteration has no history: d = −g with step t = min(1, 1/‖g‖₁) · lr, so the first
    move is at most lr in the L1 norm; afterwards t = lr, or the step the strong-Wolfe line search
    finds (`line_search_fn="strong_wolfe"`, see `strong_wolfe`). Each `step(closure)` iterates
    until `max_iter` iterations or `max_eval` loss evaluations, or until
    max|g| ≤ tolerance_grad, max|t d| ≤ tolerance_change or |ΔL| < tolerance_change. The history
    carries over to the next `step` call.

    Args:
        params: Tensors to optimize (one group only, as in PyTorch).
        lr: the step scale (default 1).   max_iter: iterations per step (default 20).
        max_eval: loss evaluations per step (default max_iter · 5 // 4).
        tolerance_grad, tolerance_change: stopping tolerances (defaults 1e-7, 1e-9).
        history_size: m, the number of (s, y) pairs kept (default 100).
        line_search_fn: None (fixed steps) or "strong_wolfe".

    State (on the first parameter, as PyTorch): ``func_evals``, ``n_iter``, ``d``, ``t``,
    ``old_dirs`` (y), ``old_stps`` (s), ``ro``, ``H_diag`` (γ), ``prev_flat_grad``, ``prev_loss``.
    """

    _scalar_state = frozenset(
        {"func_evals", "n_iter", "d", "t", "old_dirs", "old_stps", "ro", "H_diag",
         "prev_flat_grad", "prev_loss"}
    )  # fmt: skip

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        check_int("LBFGS", "max_iter", max_iter, 1)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(
            lr=lr,
            max_iter=max_iter,
            max_eval=max_eval,
            tolerance_grad=tolerance_grad,
            tolerance_change=tolerance_change,
            history_size=history_size,
            line_search_fn=line_search_fn,
        )
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def _check_group(self, group: dict[str, Any]) -> None:
        name = self._name
        check_non_negative(name, "lr", group["lr"], "learning rate")
        check_int(name, "max_iter", group["max_iter"], 1)
        check_int(name, "max_eval", group["max_eval"], 1)
        check_int(name, "history_size", group["history_size"], 1)
        check_non_negative(name, "tolerance_grad", group["tolerance_grad"], "tolerance_grad")
        check_non_negative(name, "tolerance_change", group["tolerance_change"], "tolerance_change")
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise ValueError(
                f"{name}: argument `line_search_fn` must be None or 'strong_wolfe'; got "
                f"{group['line_search_fn']!r}"
            )

    # -- the flat vector view of the parameters ------------------------------------------------

    def _flat_grad(self) -> np.ndarray:
        parts = []
        for p in self._params:
            g = p.grad
            if g is None:
                parts.append(np.zeros(p.data.size, dtype=p.data.dtype))
            else:
                parts.append(np.asarray(g.data if isinstance(g, Tensor) else g).reshape(-1))
        return np.concatenate(parts)

    def _add(self, t: float, d: np.ndarray) -> None:
        """θ ← θ + t d, in place."""
        offset = 0
        for p in self._params:
            n = p.data.size
            p.data += (t * d[offset : offset + n]).reshape(p.data.shape).astype(p.data.dtype)
            offset += n

    def _evaluate(self, closure: Callable, x: list, t: float, d: np.ndarray) -> tuple:
        """(loss, flat gradient) at x + t d; the parameters are put back to x afterwards."""
        self._add(t, d)
        with enable_grad():
            loss = float(closure())
        g = self._flat_grad()
        for p, saved in zip(self._params, x):
            p.data[...] = saved
        return loss, g

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Run up to `max_iter` L-BFGS iterations; `closure` (required) recomputes the loss and
        its gradients (zero_grad, forward, backward) and returns the loss. Returns the loss at
        the starting point."""
        if closure is None or not callable(closure):
            raise TypeError(
                "LBFGS.step: a closure is required (a function that calls zero_grad(), computes "
                "the loss, calls loss.backward() and returns the loss)"
            )
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tol_grad, tol_change = group["tolerance_grad"], group["tolerance_change"]
        history_size = group["history_size"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        with enable_grad():
            orig_loss = closure()
        loss = float(orig_loss)
        evals = 1
        state["func_evals"] += 1
        g = self._flat_grad()
        if np.abs(g).max() <= tol_grad:
            return orig_loss

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        h_diag, prev_g, prev_loss = state.get("H_diag"), state.get("prev_flat_grad"), None

        n_iter = 0
        with no_grad():
            while n_iter < max_iter:
                n_iter += 1
                state["n_iter"] += 1
                if state["n_iter"] == 1:
                    d = -g
                    old_dirs, old_stps, ro, h_diag = [], [], [], 1.0
                else:
                    y, s = g - prev_g, d * t
                    ys = float(y @ s)
                    if ys > 1e-10:  # keep only pairs with positive curvature
                        if len(old_dirs) == history_size:
                            old_dirs.pop(0), old_stps.pop(0), ro.pop(0)
                        old_dirs.append(y), old_stps.append(s), ro.append(1.0 / ys)
                        h_diag = ys / float(y @ y)
                    d = _two_loop(g, old_dirs, old_stps, ro, h_diag)
                prev_g = g.copy()
                prev_loss = loss
                t = (min(1.0, 1.0 / float(np.abs(g).sum())) if state["n_iter"] == 1 else 1.0) * lr
                gtd = float(g @ d)
                if gtd > -tol_change:  # not a descent direction
                    break

                ls_evals = 0
                if group["line_search_fn"] == "strong_wolfe":
                    x0 = [p.data.copy() for p in self._params]
                    loss, g, t, ls_evals = strong_wolfe(
                        lambda step, x0=x0, d=d: self._evaluate(closure, x0, step, d),
                        t, d, loss, g, gtd, max_ls=max_eval - evals,
                    )  # fmt: skip
                    self._add(t, d)
                    converged = np.abs(g).max() <= tol_grad
                else:
                    self._add(t, d)
                    converged = False
                    if n_iter != max_iter:  # the last iteration's loss is not needed
                        with enable_grad():
                            loss = float(closure())
                        g = self._flat_grad()
                        converged = np.abs(g).max() <= tol_grad
                        ls_evals = 1
                evals += ls_evals
                state["func_evals"] += ls_evals

                if n_iter == max_iter or evals >= max_eval or converged:
                    break
                if np.abs(d * t).max() <= tol_change or abs(loss - prev_loss) < tol_change:
                    break  # no progress

        state.update(
            d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=h_diag,
            prev_flat_grad=prev_g, prev_loss=prev_loss,
        )  # fmt: skip
        self._step_count += 1
        return orig_loss


def _two_loop(g: np.ndarray, dirs: list, stps: list, ro: list, h_diag: float) -> np.ndarray:
    """d = −H g by the two-loop recursion (see `LBFGS`); dirs are the y_k, stps the s_k."""
    q = -g
    alphas = [0.0] * len(dirs)
    for i in range(len(dirs) - 1, -1, -1):
        alphas[i] = float(stps[i] @ q) * ro[i]
        q = q - alphas[i] * dirs[i]
    r = q * h_diag
    for i in range(len(dirs)):
        beta = float(dirs[i] @ r) * ro[i]
        r = r + (alphas[i] - beta) * stps[i]
    return r
