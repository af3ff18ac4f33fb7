# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Lesson 1 · Gradient descent by hand · 手算梯度下降
#
# **Textbook sections:** 001 §3 “核心算法原理和具体操作步骤以及数学模型公式详细讲解” (3.1 梯度下降原理,
# 3.2 梯度下降操作步骤, 3.3 数学模型公式), §8 “附录：常见问题与解答”; 004A §4.2 “梯度下降算法”
# (梯度计算, 迭代公式, 梯度下降算法举例)
#
# **You will see:** the text's one-parameter example (θ0 = 2, y = 3, α = 0.01) computed step by step
# with minidl's autograd, and each number the text prints checked; then a sweep of the learning rate α
# that finds where gradient descent converges, oscillates and diverges, with the contraction factor
# |1 − αL| derived and measured; and a two-well function on which gradient descent stops in the wrong
# well.
#
# **Time:** 5.4 s full, 2.3 s fast (after imports), measured on
# Intel(R) Xeon(R) Processor, 2 cores; `python -m lessons list` prints your last measured times.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

try:
    from _course import Lesson  # run as a script, or as a notebook opened in lessons/
except ModuleNotFoundError:  # a notebook opened anywhere else (minidl installed: pip install -e .)
    from lessons._course import Lesson

import minidl as md
from minidl.testing import numerical_grad

lesson = Lesson("01_gradient_descent", "Gradient descent by hand", "手算梯度下降")

# %% [markdown]
# ## 1. The update rule · 更新规则
#
# **问题 Question:** 梯度下降的一步做什么？ / What does one step of gradient descent do?
#
# The text (001 §3.3, 004A §4.2) writes one step of gradient descent as
#
#     θ_{t+1} = θ_t − α · ∇L(θ_t)
#
# and 001 §3.2 lists the procedure: initialise θ; compute the loss L(θ); compute the gradient ∇L(θ);
# update θ; repeat until the loss converges. The function below is exactly that loop. The loss is the
# text's J(θ) = (1/n) Σ (y_i − θ)²: a "model" that predicts the constant θ for every sample. The gradient
# is not typed in: minidl's autograd computes it from the loss (`loss.backward()` fills `theta.grad`).


# %%
def descend(theta0: float, y, alpha: float, steps: int) -> dict:
    """Run θ ← θ − α ∇J(θ) on J(θ) = mean((y − θ)²) for `steps` steps; returns the trajectory."""
    ys = md.tensor(np.atleast_1d(np.asarray(y, dtype=np.float64)))
    theta = md.tensor(float(theta0), dtype=md.float64, requires_grad=True)
    thetas, losses, grads = [float(theta0)], [], []
    for _ in range(steps):
        loss = ((ys - theta) ** 2).mean()  # step 2: the loss at the current θ
        loss.backward()  # step 3: ∇J(θ), into theta.grad
        losses.append(loss.item())
        grads.append(float(theta.grad))
        with md.no_grad():  # step 4: the update itself is not part of the graph
            theta -= alpha * theta.grad
        theta.grad = None  # gradients accumulate with +=: clear before the next backward
        thetas.append(theta.item())
    return {"theta": np.array(thetas), "loss": np.array(losses), "grad": np.array(grads)}


# %% [markdown]
# ## 2. The text's worked example, step by step (004A §4.2) · 教材例题逐步计算
#
# **问题 Question:** 教材例题（θ0 = 2, y = 3, α = 0.01）的每个数字都对吗？ / Is every number of the text's example right?
#
# One sample with label y₁ = 3, the parameter starts at θ0 = 2, learning rate α = 0.01.

# %%
ex = descend(theta0=2.0, y=[3.0], alpha=0.01, steps=3)
rows = [
    [t, ex["theta"][t], ex["loss"][t], ex["grad"][t], ex["theta"][t + 1]]
    for t in range(len(ex["loss"]))
]
lesson.print_table(rows, ["t", "θ_t", "J(θ_t)", "∇J(θ_t)", "θ_{t+1}"], "The text's example")
theta1 = ex["theta"][1]
loss0, grad0 = ex["loss"][0], ex["grad"][0]
loss1 = ex["loss"][1]  # J(θ1): the loss after one update
lesson.result("example_theta1", theta1)
lesson.result("example_loss_theta0", loss0)
lesson.result("example_grad_theta0", grad0)
lesson.result("example_loss_theta1", loss1)

where = "004A §4.2 梯度下降算法举例"
lesson.textbook(
    where,
    "第一个样本的损失函数值为：(y₁ − ŷ₁)² = (3 − 2)² = 1",
    "the first sample's loss is 1",
    loss0,
    claimed=1.0,
    tol=1e-12,
)
lesson.textbook(
    where,
    "由于只有第一个样本，所以梯度为：∇J(θ0) = −2 (3 − 2)/1 = −2",
    "with one sample the gradient is −2",
    grad0,
    claimed=-2.0,
    tol=1e-12,
)
lesson.textbook(
    where,
    "更新后的模型参数为：θ1 = θ0 − α∇J(θ0) = 2 − 0.01 × (−2) = 2.02",
    "the updated parameter is 2.02",
    theta1,
    claimed=2.02,
    tol=1e-12,
)
lesson.textbook(
    where,
    "更新后的损失函数值为：J(θ1) = (1/1)(3 − 2.02)² = 0.0004",
    "the loss after the update is 0.0004",
    loss1,
    claimed=0.0004,
    tol=1e-9,
    explanation=(
        f"(3 − {theta1:.2f})² = {3 - theta1:.2f}² = {loss1:.4f}: one step of α = 0.01 removes only "
        f"{1 - (3 - theta1) / (3 - 2.0):.0%} of the error; 0.0004 = {theta1 - 2.0:.2f}² is the "
        f"square of the step θ1 − θ0, not the remaining loss"
    ),
)

# %% [markdown]
# The gradient formula the text uses, ∇J(θ) = −2 (1/n) Σ (y_i − θ), is checked on many samples at once
# (not just the one-sample case) against autograd, at random θ and random labels.

# %%
rng = np.random.default_rng(0)
worst = 0.0
for _ in range(5):
    y = rng.normal(3.0, 1.0, size=int(rng.integers(1, 20)))
    th = float(rng.normal())
    by_formula = -2.0 * np.mean(y - th)
    by_autograd = descend(th, y, alpha=0.0, steps=1)["grad"][0]
    worst = max(worst, abs(by_formula - by_autograd))
lesson.textbook(
    "004A §4.2 梯度下降算法举例",
    "损失函数的梯度为：∇J(θ0) = −2 (1/n) Σ (y_i − θ0)",
    "the gradient of the loss (for any n)",
    f"max |formula − autograd| = {worst:.1e} over 5 random data sets",
    tol=1e-12,
    agree=worst < 1e-12,
    explanation="the formula does not match minidl's autograd",
)
lesson.result("gradient_formula_max_abs_error", worst)
lesson.check("autograd gives the example's gradient −2", abs(grad0 + 2.0) < 1e-12, grad=grad0)

# %% [markdown]
# How long does "repeat until the loss converges" (001 §3.2) take here? Count the steps until
# J(θ) < 10⁻⁸, and compare with the count predicted in section 3 below.

# %%
run = descend(2.0, [3.0], alpha=0.01, steps=1200)
steps_to_converge = int(np.argmax(run["loss"] < 1e-8))
lesson.result("example_steps_to_loss_1e-8", steps_to_converge)
print(f"\nα = 0.01 needs {steps_to_converge} steps to bring J below 1e-8")
converged = bool(run["loss"].min() < 1e-8 and np.all(np.diff(run["loss"]) <= 0))
lesson.textbook(
    "001 §3.2 梯度下降操作步骤 / §3.3 数学模型公式",
    "θ_{t+1} = θ_t − α·∇L(θ_t) … 重复步骤2-4，直到损失函数收敛",
    "repeating the update makes the loss converge (to its minimum)",
    f"at α = 0.01 the loss falls at every step and is below 1e-8 after {steps_to_converge} steps",
    tol=1e-8,
    agree=converged,
    explanation="the loss did not converge at the text's learning rate",
)

# %% [markdown]
# The text also defines the gradient (004A §4.2(1), and again 004B §4.2(1)): for f(x) it is ∂f/∂x, for
# f(x, y) the vector (∂f/∂x, ∂f/∂y). Autograd computes exactly these partial derivatives; we compare it
# with the derivatives worked out by hand and with finite differences (`minidl.testing.numerical_grad`)
# for f(x, y) = x² y + sin(y).


# %%
def f_xy(x, y):
    """f(x, y) = x² y + sin(y), whose partials are 2xy and x² + cos(y)."""
    return x**2 * y + md.sin(y)


px = md.tensor(1.5, dtype=md.float64, requires_grad=True)
py = md.tensor(-0.5, dtype=md.float64, requires_grad=True)
f_xy(px, py).backward()
by_hand = np.array([2 * 1.5 * -0.5, 1.5**2 + np.cos(-0.5)])  # (2xy, x² + cos y)
by_autograd = np.array([float(px.grad), float(py.grad)])
by_fd = np.array([float(v) for v in numerical_grad(f_xy, px.detach(), py.detach())])
lesson.print_table(
    [
        ["∂f/∂x", by_hand[0], by_autograd[0], by_fd[0]],
        ["∂f/∂y", by_hand[1], by_autograd[1], by_fd[1]],
    ],
    ["component", "by hand", "autograd", "finite differences"],
    "∇f(x, y) at (1.5, −0.5)",
)
grad_def_err = float(max(np.abs(by_autograd - by_hand).max(), np.abs(by_fd - by_hand).max()))
lesson.textbook(
    "004A §4.2(1) 梯度计算 / 004B §4.2(1)",
    "对于多元函数 f(x, y)，其梯度为：∇f(x, y) = (∂f/∂x, ∂f/∂y)",
    "the gradient of f(x, y) is the vector of its partial derivatives",
    f"autograd and finite differences match the hand-derived partials to {grad_def_err:.1e}",
    tol=1e-8,
    agree=grad_def_err < 1e-8,
    explanation="autograd's gradient differs from the partial derivatives",
)

# %% [markdown]
# ## 3. Why α decides everything: the contraction factor · 收缩因子
#
# **问题 Question:** α 多大时收敛、振荡、发散？ / For which α does it converge, oscillate, diverge?
#
# Write e_t = θ_t − θ* for the error, where θ* = mean(y) minimises J. The gradient is
# ∇J(θ) = 2(θ − θ*) = L·e with L = J''(θ) = 2 (the curvature, the same for any n). One step gives
#
#     e_{t+1} = e_t − α L e_t = (1 − αL) e_t
#
# so every step multiplies the error by r = 1 − αL. Then
#
# * 0 < α < 1/L: 0 < r < 1, the error shrinks without changing sign (monotone convergence);
# * α = 1/L: r = 0, one step lands exactly on θ*;
# * 1/L < α < 2/L: −1 < r < 0, θ jumps across θ* every step but still converges (oscillation);
# * α = 2/L: r = −1, it bounces between two points forever;
# * α > 2/L: |r| > 1, the error grows geometrically (divergence).
#
# It predicts the step count too: |e_t| = |r|^t |e_0|, so J = e² drops below ε after
# t = ⌈ln(ε/e_0²) / (2 ln|r|)⌉ steps. For the text's example, |r| = 0.98 and e_0 = 1:

# %%
L = 2.0
predicted_steps = math.ceil(math.log(1e-8) / (2 * math.log(abs(1 - 0.01 * L))))
lesson.result("example_steps_predicted", predicted_steps)
lesson.check(
    "steps to J < 1e-8 at α = 0.01 match ln(ε)/(2 ln|1 − αL|)",
    abs(steps_to_converge - predicted_steps) <= 1,
    measured=steps_to_converge,
    predicted=predicted_steps,
)

# %% [markdown]
# Now measure r. For each α, run gradient descent on random data (several seeds: random labels,
# random n, random start) and measure the ratio e_{t+1}/e_t along the trajectory. Then classify what the
# trajectory did — from the trajectory alone — and compare with the class the theory predicts.


# %%
def predicted_behaviour(alpha: float) -> str:
    """What r = 1 − αL says the error will do."""
    r = 1 - alpha * L
    if abs(r) < 1e-12:
        return "one step"
    if 0 < r < 1:
        return "monotone"
    if -1 < r < 0:
        return "oscillates, converges"
    if abs(r + 1) < 1e-12:
        return "bounces forever"
    return "diverges"


def measured_behaviour(err: np.ndarray) -> str:
    """Classify a trajectory of errors e_t by what it did: sign changes and growth."""
    e0, e_end = abs(err[0]), abs(err[-1])
    if e_end < 1e-12 * e0 and abs(err[1]) < 1e-12 * e0:
        return "one step"
    live = np.abs(err[:-1]) > 1e-9 * e0  # once e_t is at rounding level its sign means nothing
    flips = np.mean((np.sign(err[1:]) != np.sign(err[:-1]))[live])
    if e_end > 2 * e0:
        return "diverges"
    if abs(e_end - e0) <= 1e-9 * e0:
        return "bounces forever"
    return "oscillates, converges" if flips > 0.5 else "monotone"


alphas = [0.01, 0.1, 0.25, 0.45, 0.5, 0.55, 0.75, 0.95, 1.0, 1.05, 1.25]
seeds = lesson.pick(range(5), range(3))
steps = lesson.pick(60, 30)
rows, all_match, ratio_err = [], True, 0.0
for alpha in alphas:
    ratios, classes = [], set()
    for seed in seeds:
        g = np.random.default_rng(seed)
        y = g.normal(3.0, 1.0, size=int(g.integers(1, 50)))
        tr = descend(float(g.normal(0.0, 3.0)), y, alpha, steps)
        err = tr["theta"] - y.mean()
        ok = np.abs(err[:-1]) > 1e-9  # ratios are only meaningful before the error vanishes
        if ok.any():
            ratios.append(np.median(err[1:][ok] / err[:-1][ok]))
        classes.add(measured_behaviour(err))
    r_meas = float(np.median(ratios)) if ratios else 0.0
    ratio_err = max(ratio_err, abs(r_meas - (1 - alpha * L)))
    pred = predicted_behaviour(alpha)
    match = classes == {pred}
    all_match &= match
    rows.append([alpha, 1 - alpha * L, r_meas, pred, " / ".join(sorted(classes)), match])
lesson.print_table(
    rows,
    ["α", "r = 1−αL", "measured r", "predicted", "measured behaviour", "match"],
    f"α sweep on J(θ) = mean((y−θ)²), L = 2, {len(seeds)} seeds each",
)
lesson.result("sweep", [dict(zip(["alpha", "r_theory", "r_measured"], r[:3])) for r in rows])
lesson.check(
    "measured contraction e_{t+1}/e_t equals 1 − αL for every α",
    ratio_err < 1e-9,
    max_abs_error=ratio_err,
)
lesson.check(
    "every trajectory behaves as |1 − αL| predicts (monotone / one step / oscillate / diverge)",
    all_match,
    n_alphas=len(alphas),
    n_seeds=len(seeds),
)

# %% [markdown]
# A fine sweep of α draws the whole picture: the measured |r| falls linearly to 0 at α = 1/L = 0.5,
# rises again, and crosses 1 — the divergence threshold — at α = 2/L = 1. The number of steps needed
# follows from |r|: fewest at α = 1/L, many near 0 and near 2/L.

# %%
fine = np.linspace(0.005, 1.2, lesson.pick(120, 40))
r_fine, steps_fine = [], []
for alpha in fine:
    tr = descend(4.0, [3.0], float(alpha), 8)
    err = tr["theta"] - 3.0
    r_fine.append(abs(err[1] / err[0]))
    r = abs(1 - alpha * L)
    steps_fine.append(math.ceil(math.log(1e-8) / (2 * math.log(r))) if 0 < r < 1 else np.nan)
r_fine = np.array(r_fine)
stable = fine[r_fine < 1]
threshold = float(stable.max()) if len(stable) else float("nan")
lesson.result("largest_stable_alpha_in_fine_sweep", threshold)
lesson.check(
    "the largest α that still converges lies just below 2/L = 1",
    0.95 <= threshold < 1.0,
    largest_stable_alpha=threshold,
    limit=2 / L,
)

# %% [markdown]
# ## 4. A weakness the text names: local minima (001 §8) · 局部最优
#
# **问题 Question:** 梯度下降会停在错误的谷底吗？ / Does gradient descent stop in the wrong well?
#
# 001 §8 says gradient descent "容易陷入局部最优" (easily gets stuck in a local optimum). On a convex
# J like the one above that cannot happen, so take a function with two wells,
# f(θ) = θ⁴ − 3θ² + θ, and start gradient descent from many points.


# %%
def descend_f(theta0: float, alpha: float, steps: int) -> np.ndarray:
    """Gradient descent on f(θ) = θ⁴ − 3θ² + θ (gradient by autograd); returns the path of θ."""
    theta = md.tensor(theta0, dtype=md.float64, requires_grad=True)
    path = [theta0]
    for _ in range(steps):
        f = theta**4 - 3 * theta**2 + theta
        f.backward()
        with md.no_grad():
            theta -= alpha * theta.grad
        theta.grad = None
        path.append(theta.item())
    return np.array(path)


def f_np(t):
    """The same two-well function in NumPy, for plotting and comparing values."""
    return t**4 - 3 * t**2 + t


starts = np.linspace(-2.0, 2.0, lesson.pick(21, 9))
ends = np.array([descend_f(float(s), 0.01, lesson.pick(400, 300))[-1] for s in starts])
grid = np.linspace(-2.2, 2.2, 4001)
global_min = grid[np.argmin(f_np(grid))]
in_global = np.abs(ends - global_min) < 0.05
lesson.result("two_well_fraction_reaching_global_min", float(in_global.mean()))
stuck_end = float(ends[-1])  # the run that started at θ0 = +2
lesson.textbook(
    "001 §8 附录：常见问题与解答",
    "其缺点是容易陷入局部最优",
    "its weakness: it easily gets stuck in a local optimum",
    f"from θ0=+2 it stops at θ={stuck_end:.3f} (f={f_np(stuck_end):.3f}); "
    f"global minimum θ={global_min:.3f} (f={f_np(global_min):.3f})",
    agree=bool(f_np(stuck_end) > f_np(global_min) + 0.5),
)
lesson.check(
    "starts on the right of the hump end in the local well, starts on the left in the global one",
    bool(in_global[starts < -0.5].all() and not in_global[starts > 0.5].any()),
    fraction_global=float(in_global.mean()),
)

# %% [markdown]
# ## 5. Figures · 图
#
# **问题 Question:** 图上能看到什么？ / What do the pictures show?

# %%
fig, ax = plt.subplots(2, 2, figsize=(11, 8))
a = ax[0, 0]
a.plot(run["theta"][:400], label="θ_t")
a.axhline(3.0, color="k", lw=0.8, ls="--", label="θ* = y = 3")
a.set(title="The text's example: θ0=2, y=3, α=0.01", xlabel="step t", ylabel="θ_t")
a.legend()
a = ax[0, 1]
for alpha in [0.1, 0.45, 0.75, 1.0, 1.05]:
    tr = descend(4.0, [3.0], alpha, 20)
    a.plot(tr["theta"] - 3.0, marker="o", ms=3, label=f"α={alpha}: {predicted_behaviour(alpha)}")
a.set(title="Error θ_t − θ* for several α (L = 2)", xlabel="step t", ylabel="e_t", ylim=(-4, 4))
a.legend(fontsize=8)
a = ax[1, 0]
a.plot(fine, r_fine, "o", ms=3, label="measured |e₁/e₀|")
a.plot(fine, np.abs(1 - fine * L), "k-", lw=1, label="theory |1 − αL|")
a.axhline(1.0, color="r", lw=0.8, ls="--", label="|r| = 1: divergence above")
a.axvline(1 / L, color="g", lw=0.8, ls=":", label="α = 1/L")
a.set(title="Contraction factor per step", xlabel="α", ylabel="|r|")
a.legend(fontsize=8)
a = ax[1, 1]
a.plot(grid, f_np(grid), "k-", lw=1)
for s in [-2.0, 2.0]:
    p = descend_f(s, 0.01, 400)
    a.plot(p, f_np(p), "o-", ms=2, label=f"GD from θ0={s:+.0f} → θ={p[-1]:.2f}")
a.set(title="f(θ) = θ⁴ − 3θ² + θ: two wells", xlabel="θ", ylabel="f(θ)")
a.legend(fontsize=8)
fig.tight_layout()
lesson.savefig(fig, "gradient_descent")

fig, a = plt.subplots(figsize=(6, 4))
a.semilogy(fine, steps_fine, "b-")
a.axvline(1 / L, color="g", lw=0.8, ls=":", label="α = 1/L (one step)")
a.axvline(2 / L, color="r", lw=0.8, ls="--", label="α = 2/L (diverges beyond)")
a.set(title="Steps until J < 1e-8 (from |r|)", xlabel="α", ylabel="steps")
a.legend()
lesson.savefig(fig, "steps_vs_alpha")

# %% [markdown]
# ## What the numbers say · 结论

# %%
r_text = 1 - 0.01 * L  # the contraction factor at the text's α = 0.01
lesson.conclude(
    f"教材算到 θ1 = {theta1:.4g} 为止都对，最后一步错了：J(θ1) = {loss1:.4g}，不是 0.0004。"
    f"α = 0.01 时每步只把误差乘以 {r_text:.4g}，要 {steps_to_converge} 步才收敛。",
    f"The text is right up to θ1 = {theta1:.4g}; its last line is wrong: J(θ1) = {loss1:.4g}, not "
    f"0.0004. At α = 0.01 each step multiplies the error by {r_text:.4g}: {steps_to_converge} steps "
    "to converge.",
)
lesson.conclude(
    f"每步误差乘以 r = 1 − αL（测得误差 {ratio_err:.1e}）；α > 2/L = {2 / L:.4g} 时发散，"
    f"细扫描中最大的稳定 α 是 {threshold:.4g}。",
    f"Every step multiplies the error by r = 1 − αL (measured to {ratio_err:.1e}); above "
    f"α = 2/L = {2 / L:.4g} it diverges — the largest stable α of the fine sweep is {threshold:.4g}.",
)
lesson.conclude(
    f"非凸函数上终点取决于起点：只有 {in_global.mean():.0%} 的起点到达全局最小。",
    f"On a non-convex function the end point depends on the start: {in_global.mean():.0%} of the "
    "starts reach the global minimum.",
)

# %%
lesson.finish()
