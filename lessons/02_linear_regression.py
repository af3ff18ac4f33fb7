# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Lesson 2 · Vectorised linear regression · 向量化线性回归
#
# **Textbook sections:** 001 §4 “具体最佳实践：代码实例和详细解释说明” (the NumPy gradient-descent loop);
# 004B §4.2 “梯度下降算法” (例子：使用梯度下降算法优化线性回归模型 — the gradients ∂MSE/∂θ0, ∂MSE/∂θ1
# and the update rule)
#
# **You will see:** the text's NumPy loop run exactly as printed, and what it really computes (a
# 100 × 100 "parameter"); the repairs one at a time — matrix product, bias column, mean instead of sum —
# each against least squares (`np.linalg.lstsq`); the largest stable learning rate 2/λ_max of the
# Hessian, shown by experiment on both sides of it on two data sets; the text's gradient formulas
# against autograd and finite differences, and `minidl.testing.gradcheck` catching a wrong backward.
#
# **Time:** 4.1 s full, 2.0 s fast (after imports), measured on
# Intel(R) Xeon(R) Processor, 2 cores; `python -m lessons list` prints your last measured times.

# %%
import contextlib
import io

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes

try:
    from _course import Lesson  # run as a script, or as a notebook opened in lessons/
except ModuleNotFoundError:  # a notebook opened anywhere else (minidl installed: pip install -e .)
    from lessons._course import Lesson

import minidl as md
from minidl.testing import gradcheck, numerical_grad

lesson = Lesson("02_linear_regression", "Vectorised linear regression", "向量化线性回归")

# %% [markdown]
# ## 1. The text's loop, as written (001 §4) · 教材代码原样运行
#
# **问题 Question:** 教材的 NumPy 循环实际算的是什么？ / What does the text's NumPy loop actually compute?
#
# Here is the code exactly as the text prints it. It draws unseeded random numbers, so we seed NumPy's
# global generator first (the only change) and run it.

# %%
TEXT_CODE = """
import numpy as np

# 生成随机数据
X = np.random.rand(100, 1)
y = 2 * X + 1 + np.random.randn(100, 1) * 0.1

# 初始化模型参数
theta = np.random.randn(1, 1)

# 设置学习率
learning_rate = 0.01

# 设置迭代次数
iterations = 1000

# 梯度下降算法
for i in range(iterations):
    # 计算预测值
    predictions = X * theta
    # 计算损失函数
    loss = (predictions - y) ** 2
    # 计算梯度
    gradient = 2 * X.T * (predictions - y)
    # 更新模型参数
    theta = theta - learning_rate * gradient

# 输出最终模型参数
print("最终模型参数：", theta)
"""

np.random.seed(0)
theta_initial = None
ns: dict = {}
printed = io.StringIO()
with contextlib.redirect_stdout(printed):
    exec(TEXT_CODE, ns)  # noqa: S102  (the textbook's own code, run as printed)
X, y, theta_text = ns["X"], ns["y"], ns["theta"]
print("The text's program printed (first lines):")
print("\n".join(printed.getvalue().splitlines()[:3]) + "\n ...")
print(f"theta.shape = {theta_text.shape}; loss.shape = {ns['loss'].shape}")
lesson.result("text_theta_shape", list(theta_text.shape))

# %% [markdown]
# The "model parameter" it prints is a 100 × 100 matrix. The culprit is `X.T * (predictions - y)`:
# `X.T` has shape (1, 100) and `predictions - y` has shape (100, 1), and `*` is elementwise, so NumPy
# broadcasts them into the (100, 100) outer product `gradient[i, j] = 2 x_j (p_i − y_i)`. After the first
# update `theta` is (100, 100) too, and from then on `predictions = X * theta` is (100, 100):
# `predictions[i, j] = x_i θ_ij`. So each entry θ_ij is its own little problem,
#
#     θ_ij ← θ_ij − 2α x_j (x_i θ_ij − y_i),
#
# whose fixed point is y_i / x_i (a line through the origin and sample i) and whose error shrinks by
# r_ij = 1 − 2α x_i x_j per step. Started from the scalar θ0, after T steps
# θ_ij = y_i/x_i + r_ij^T (θ0 − y_i/x_i). We check that closed form against what the program produced.

# %%
np.random.seed(0)
_ = np.random.rand(100, 1), np.random.randn(100, 1)  # replay the draws to recover the initial θ0
theta0 = np.random.randn(1, 1).item()
target = y / X  # (100, 1): the per-sample slope y_i / x_i, broadcast along j
r = 1 - 2 * 0.01 * X * X.T  # (100, 100)
closed_form = target + r**1000 * (theta0 - target)
closed_err = float(np.max(np.abs(closed_form - theta_text)))
lesson.result("text_theta_vs_closed_form_max_abs_error", closed_err)
lesson.check(
    "the text's loop computes θ_ij = y_i/x_i + (1 − 2αx_i x_j)^T (θ0 − y_i/x_i), entry by entry",
    theta_text.shape == (100, 100) and closed_err < 1e-8,
    shape=str(theta_text.shape),
    max_abs_error=closed_err,
)
lesson.result("text_theta_mean", float(theta_text.mean()))
lesson.textbook(
    "001 §4 具体最佳实践：代码实例",
    "以下是一个使用梯度下降算法优化线性回归模型的代码实例 … 最终，我们输出了最终的模型参数",
    "the code fits a linear regression by gradient descent and prints the final model parameter",
    f"theta has shape {theta_text.shape} (mean {theta_text.mean():.2f}), entries → y_i/x_i",
    agree=theta_text.shape == (1, 1),
    explanation=(
        "X.T * (predictions - y) broadcasts (1,100)*(100,1) into a (100,100) outer product, so θ "
        "becomes 10,000 separate one-sample slopes; the model also has no intercept"
    ),
)
g_text = 2 * X.T * (X * theta0 - y)  # the text's gradient at the start, (100, 100)
g_true = 2 * X.T @ (X * theta0 - y)  # d/dθ Σ (xθ − y)²: one number
lesson.textbook(
    "001 §4 具体最佳实践：代码实例",
    "# 计算梯度  gradient = 2 * X.T * (predictions - y)",
    "this line computes the gradient (of the summed squared error)",
    f"shape {g_text.shape}; the true gradient {g_true.item():.4f} is its trace "
    f"{np.trace(g_text):.4f}, not the array itself",
    agree=g_text.shape == g_true.shape,
    explanation="`*` is elementwise: the true gradient needs the matrix product X.T @ (...)",
)

# %% [markdown]
# ## 2. Repairs, one at a time, against least squares · 逐步修正，对照最小二乘
#
# **问题 Question:** 怎样修改才能得到最小二乘解？ / Which repairs reach the least-squares fit?
#
# Least squares gives the answer gradient descent should reach: `np.linalg.lstsq`. We repair the loop
# step by step and run each version with minidl's autograd computing the gradient (so no gradient
# formula is typed in):
#
# * **A** — matrix product, as the text intended: `predictions = X @ theta`, the gradient of the
#   *summed* squared error, α = 0.01. There is no intercept, so the best it can do is the best line
#   through the origin.
# * **B** — add a bias column [1, x] so the model is θ0 + θ1 x (004B §4.2's model), same summed loss
#   and α = 0.01.
# * **C** — the *mean* squared error (the loss 004B §4.1 defines), α = 0.01.
# * **D** — the mean squared error with α = 1/λ_max (explained in section 3).


# %%
def descend(Xd: np.ndarray, yd: np.ndarray, lr: float, steps: int, reduce: str = "mean"):
    """Gradient descent on the squared error of a linear model X w, gradient by minidl's autograd."""
    Xt, yt = md.tensor(Xd), md.tensor(yd)
    w = md.zeros(Xd.shape[1], 1, dtype=md.float64, requires_grad=True)
    losses = []
    for _ in range(steps):
        sq = (Xt @ w - yt) ** 2
        loss = sq.mean() if reduce == "mean" else sq.sum()
        losses.append(loss.item())
        if not np.isfinite(losses[-1]) or losses[-1] > 1e12 * losses[0]:
            break  # diverged: stop before overflowing to inf
        loss.backward()
        with md.no_grad():
            w -= lr * w.grad
        w.grad = None
    return w.detach().numpy(), np.array(losses)


Xb = np.hstack([np.ones_like(X), X])  # (100, 2): the bias column makes θ0 an ordinary weight
w_ls_nobias = np.linalg.lstsq(X, y, rcond=None)[0]
w_ls = np.linalg.lstsq(Xb, y, rcond=None)[0]
H_sum = 2 * Xb.T @ Xb  # Hessian of Σ (Xb w − y)²
H_mean = H_sum / len(X)  # Hessian of the mean
lam_sum = np.linalg.eigvalsh(H_sum)
lam_mean = np.linalg.eigvalsh(H_mean)

iters = lesson.pick(1000, 500)  # the text runs 1000 iterations
wA, lossA = descend(X, y, 0.01, iters, reduce="sum")
wB, lossB = descend(Xb, y, 0.01, iters, reduce="sum")
wC, lossC = descend(Xb, y, 0.01, iters, reduce="mean")
wD, lossD = descend(Xb, y, 1.0 / lam_mean.max(), iters, reduce="mean")
# Gradient descent on a quadratic is linear: e_T = (I − lr H)^T e_0 with e = w − w*, w_0 = 0.
eC_pred = np.linalg.matrix_power(np.eye(2) - 0.01 * H_mean, iters) @ (0 - w_ls)
rows = [
    ["A: X@θ, sum, α=0.01", "—", wA.ravel(), w_ls_nobias.ravel(), lossA[-1]],
    ["B: +bias, sum, α=0.01", 0.01 * lam_sum.max(), wB.ravel(), w_ls.ravel(), lossB[-1]],
    ["C: +bias, mean, α=0.01", 0.01 * lam_mean.max(), wC.ravel(), w_ls.ravel(), lossC[-1]],
    ["D: +bias, mean, α=1/λmax", 1.0, wD.ravel(), w_ls.ravel(), lossD[-1]],
]
rows = [[r[0], r[1], np.round(r[2], 4).tolist(), np.round(r[3], 4).tolist(), r[4]] for r in rows]
lesson.print_table(
    rows,
    ["version", "α·λ_max", f"w after {iters} steps", "least squares", "final loss"],
    "Repairs of the text's loop (data y = 2x + 1 + noise)",
)
lesson.result("lstsq_with_bias", w_ls.ravel())
lesson.result("lstsq_no_bias", w_ls_nobias.ravel())
lesson.result("repair_A", wA.ravel())
lesson.result("repair_B_loss_last", lossB[-1])
lesson.result("repair_C", wC.ravel())
lesson.result("repair_D", wD.ravel())
lesson.check(
    "A (no bias) converges to the least-squares line through the origin, not to slope 2",
    abs(wA.item() - w_ls_nobias.item()) < 1e-6 and abs(wA.item() - 2) > 0.5,
    slope=wA.item(),
    lstsq=w_ls_nobias.item(),
)
lesson.check(
    "B (summed loss, α·λ_max > 2) diverges, as α < 2/λ_max predicts",
    0.01 * lam_sum.max() > 2 and lossB[-1] > 1e6 * lossB[0],
    alpha_times_lambda_max=0.01 * lam_sum.max(),
    loss_growth=lossB[-1] / lossB[0],
)
lesson.check(
    f"C (mean loss, α=0.01) is stable but unfinished after {iters} steps; the gap is (I − αH)^T e_0",
    np.max(np.abs((wC - w_ls) - eC_pred)) < 1e-8 and np.max(np.abs(wC - w_ls)) > 0.05,
    gap=np.max(np.abs(wC - w_ls)),
)
lesson.check(
    "D (mean loss, α = 1/λ_max) reaches the least-squares solution",
    np.max(np.abs(wD - w_ls)) < 1e-6,
    max_abs_error=np.max(np.abs(wD - w_ls)),
)

# %% [markdown]
# ## 3. The stability limit: α < 2/λ_max · 稳定性上限
#
# **问题 Question:** 学习率最大能取多少？ / How large can the learning rate be?
#
# For a quadratic loss the gradient is H(w − w*) with H the Hessian (here H = (2/n) Xᵀ X for the mean
# squared error). One step gives e ← (I − αH) e, so along the eigenvector with eigenvalue λ the error is
# multiplied by 1 − αλ — lesson 1's contraction factor, once per direction. All directions shrink if and
# only if |1 − αλ| < 1 for every λ, that is **α < 2/λ_max**. The smallest eigenvalue sets how slowly the
# last direction converges (repair C above).
#
# The experiment: for several data sets — the text's synthetic data with five seeds, and scikit-learn's
# diabetes data (10 standardized features and a bias) — compute λ_max, then run gradient descent at
# α = f · 2/λ_max for f just below and just above 1.

# %%
datasets = []
for seed in range(lesson.pick(5, 2)):
    g = np.random.default_rng(seed)
    x = g.random((100, 1))
    datasets.append(
        (
            f"synthetic seed {seed}",
            np.hstack([np.ones_like(x), x]),
            2 * x + 1 + g.normal(0, 0.1, x.shape),
        )
    )
dX, dy = load_diabetes(return_X_y=True)
dX = (dX - dX.mean(0)) / dX.std(0)
dy = ((dy - dy.mean()) / dy.std()).reshape(-1, 1)
datasets.append(("diabetes (442 × 10)", np.hstack([np.ones((len(dX), 1)), dX]), dy))

factors = lesson.pick([0.5, 0.9, 0.98, 1.02, 1.1, 1.5], [0.5, 0.98, 1.02, 1.5])
steps = lesson.pick(400, 200)
curves, rows, below_ok, above_ok = {}, [], True, True
for name, Xd, yd in datasets:
    lam_max = np.linalg.eigvalsh(2 * Xd.T @ Xd / len(Xd)).max()
    for f in factors:
        _, losses = descend(Xd, yd, f * 2 / lam_max, steps)
        growth = losses[-1] / losses[0]
        monotone = bool(np.all(np.diff(losses) <= 1e-12 * losses[0]))
        if f < 1:
            below_ok &= monotone and growth < 1
        else:
            above_ok &= growth > 10
        curves[(name, f)] = losses
        rows.append([name, lam_max, f, f * 2 / lam_max, growth, len(losses)])
lesson.print_table(
    rows,
    ["data", "λ_max", "α·λ_max/2", "α", "final/initial loss", "steps (stop at 1e12×)"],
    "Learning rates on both sides of 2/λ_max",
)
lesson.result(
    "stability_rows", [dict(zip(["data", "lam_max", "f", "lr", "growth"], r)) for r in rows]
)
lesson.check(
    "below 2/λ_max the loss decreases at every step, on every data set",
    below_ok,
    factors_below=[f for f in factors if f < 1],
)
lesson.check(
    "above 2/λ_max the loss grows more than tenfold, on every data set",
    above_ok,
    factors_above=[f for f in factors if f > 1],
)

# %% [markdown]
# ## 4. The text's gradient formulas (004B §4.2), checked three ways · 教材的梯度公式
#
# **问题 Question:** 教材的偏导数公式对吗？ / Are the text's partial derivatives right?
#
# 004B §4.2 gives, for ŷ_i = θ0 + θ1 x_i and MSE = (1/n) Σ (y_i − ŷ_i)²,
#
#     ∂MSE/∂θ0 = −(1/n) Σ (y_i − ŷ_i),      ∂MSE/∂θ1 = −(1/n) Σ x_i (y_i − ŷ_i).
#
# We compute them on 10 samples (the text's example size) beside minidl's autograd and beside central
# finite differences (`minidl.testing.numerical_grad`), which need no derivative at all.

# %%
g = np.random.default_rng(1)
x10 = g.random(10)
y10 = 2 * x10 + 1 + g.normal(0, 0.1, 10)
t0 = md.tensor(0.3, dtype=md.float64, requires_grad=True)
t1 = md.tensor(-0.7, dtype=md.float64, requires_grad=True)
xt, yt = md.tensor(x10), md.tensor(y10)


def mse(a, b):
    """MSE = (1/n) Σ (y_i − (θ0 + θ1 x_i))² on the 10 samples."""
    return ((yt - (a + b * xt)) ** 2).mean()


mse(t0, t1).backward()
auto = [float(t0.grad), float(t1.grad)]
fd = [float(v) for v in numerical_grad(mse, t0, t1)]
resid = y10 - (t0.item() + t1.item() * x10)
text = [-np.mean(resid), -np.mean(x10 * resid)]
rows = [
    [name, tv, av, fv, tv / av]
    for name, tv, av, fv in zip(["∂MSE/∂θ0", "∂MSE/∂θ1"], text, auto, fd, strict=True)
]
lesson.print_table(
    rows, ["gradient", "text's formula", "autograd", "finite diff.", "text/autograd"]
)
lesson.result("formula_ratio_text_over_true", [text[0] / auto[0], text[1] / auto[1]])
lesson.check(
    "autograd agrees with finite differences for both parameters",
    max(abs(a - f) for a, f in zip(auto, fd)) < 1e-8,
    max_abs_diff=max(abs(a - f) for a, f in zip(auto, fd)),
)
for k, formula in enumerate(
    ["∂MSE/∂θ0 = −(1/n) Σ (y_i − ŷ_i)", "∂MSE/∂θ1 = −(1/n) Σ x_i (y_i − ŷ_i)"]
):
    lesson.textbook(
        "004B §4.2 例子：使用梯度下降算法优化线性回归模型",
        "计算损失函数关于 θ0 和 θ1 的梯度：" + formula,
        f"the gradient of the MSE with respect to θ{k}",
        auto[k],
        claimed=text[k],
        tol=1e-8,
        explanation=(
            f"the text's value is {text[k] / auto[k]:.3f} × the true gradient: the factor 2 from "
            "d/dŷ (y − ŷ)² is missing (these are the gradients of MSE/2)"
        ),
    )

# %% [markdown]
# Does the text's procedure still reach the optimum with its own formulas? Run its update rule
# θ_{j,t+1} = θ_{j,t} − α ∂MSE/∂θ_j with the text's gradients (NumPy, the formulas as printed) on the
# same 10 samples, with α = 2/λ_max of the true Hessian, and compare with least squares.

# %%
X10 = np.stack([np.ones(10), x10], axis=1)
lam10 = np.linalg.eigvalsh(2 * X10.T @ X10 / 10)
alpha10 = 2 / lam10.max()
th0, th1 = 0.3, -0.7
for _ in range(lesson.pick(4000, 2000)):
    r10 = y10 - (th0 + th1 * x10)
    g0, g1 = -np.mean(r10), -np.mean(x10 * r10)  # 004B §4.2's formulas, as printed
    th0, th1 = th0 - alpha10 * g0, th1 - alpha10 * g1
ls10 = np.linalg.lstsq(X10, y10, rcond=None)[0]
gap10 = float(np.max(np.abs(np.array([th0, th1]) - ls10)))
lesson.result("text_formulas_gd_vs_lstsq_gap", gap10)
lesson.textbook(
    "004B §4.2 例子：使用梯度下降算法优化线性回归模型",
    "更新参数 θ_{0,t+1} = θ_{0,t} − α ∂MSE/∂θ0 … 通过多次迭代，梯度下降算法将逐渐最小化损失函数，使模型参数达到最优值",
    "iterating the update (with the text's gradients) brings the parameters to the optimum",
    f"|θ − least squares| = {gap10:.1e} after the iterations (α = 2/λ_max, halved by the formulas)",
    tol=1e-8,
    agree=gap10 < 1e-8,
    explanation="the iteration did not reach the least-squares parameters",
)

# %% [markdown]
# The missing factor 2 does not break gradient descent — the direction is right, so the text's update
# is an ordinary step with half the learning rate (and a stability limit of 4/λ_max instead of 2/λ_max).
# But a backward pass that is off by a constant is exactly the bug a gradient check exists to catch.
# Below, the same MSE is written as a minidl `Function` twice: once with the text's derivative as its
# backward, once with the correct one. `minidl.testing.gradcheck` compares each backward with finite
# differences, using a random upstream gradient.


# %%
class TextMSE(md.Function):
    """MSE(θ0, θ1) = (1/n) Σ (y − θ0 − θ1 x)², with 004B §4.2's gradient formulas as backward."""

    factor = 1.0  # the text's formulas; the correct backward uses 2.0

    @staticmethod
    def forward(ctx, a, b, x, y):
        resid = y - (a + b * x)  # (n,)
        ctx.save_for_backward(x, resid)
        return np.mean(resid**2)

    @classmethod
    def backward(cls, ctx, grad):
        x, resid = ctx.saved_tensors
        g0 = -cls.factor * np.mean(resid)
        g1 = -cls.factor * np.mean(x * resid)
        return grad * g0, grad * g1, None, None


class CorrectMSE(TextMSE):
    """The same loss with the derivative −(2/n) Σ (y − ŷ), −(2/n) Σ x (y − ŷ)."""

    factor = 2.0


a64 = md.tensor(0.3, dtype=md.float64, requires_grad=True)
b64 = md.tensor(-0.7, dtype=md.float64, requires_grad=True)
passes_text = gradcheck(lambda a, b: TextMSE.apply(a, b, xt, yt), (a64, b64), raise_exception=False)
passes_correct = gradcheck(
    lambda a, b: CorrectMSE.apply(a, b, xt, yt), (a64, b64), raise_exception=False
)
passes_autograd = gradcheck(mse, (a64, b64), raise_exception=False)
lesson.print_table(
    [
        ["TextMSE (004B §4.2 formulas)", passes_text],
        ["CorrectMSE (factor 2)", passes_correct],
        ["composed from minidl ops", passes_autograd],
    ],
    ["backward", "gradcheck passes"],
    "Gradient check",
)
lesson.check(
    "gradcheck rejects the text's backward and accepts the corrected and the composed ones",
    (not passes_text) and passes_correct and passes_autograd,
    text=passes_text,
    corrected=passes_correct,
    composed=passes_autograd,
)

# %% [markdown]
# ## 5. Figures · 图
#
# **问题 Question:** 图上能看到什么？ / What do the pictures show?

# %%
fig, ax = plt.subplots(1, 3, figsize=(15, 4.3))
a = ax[0]
a.plot(closed_form.ravel(), theta_text.ravel(), ".", ms=1)
lim = [np.percentile(theta_text, 1), np.percentile(theta_text, 99)]
a.plot(lim, lim, "k-", lw=0.8)
a.set(
    title="Text's loop: its 100×100 θ vs the closed form",
    xlabel="y_i/x_i + r_ij^T (θ0 − y_i/x_i)",
    ylabel="θ_ij printed by the text's code",
    xlim=lim,
    ylim=lim,
)
a = ax[1]
for name, losses in [("A", lossA), ("B", lossB), ("C", lossC), ("D", lossD)]:
    ref = np.sum((X @ w_ls_nobias - y) ** 2) if name == "A" else np.sum((Xb @ w_ls - y) ** 2)
    ref = ref if name in "AB" else ref / len(X)
    a.semilogy(np.maximum(losses - ref, 1e-16), label=f"{name}: loss − optimum")
a.set(title="Repairs A–D", xlabel="step", ylabel="excess loss", ylim=(1e-16, 1e12))
a.legend()
a = ax[2]
for (name, _, _), style in zip(datasets[:1] + datasets[-1:], ["-", "--"], strict=True):
    for f in factors:
        color = plt.cm.coolwarm(0.5 + (f - 1) * 1.5)  # blue below the limit, red above
        label = f"{name.split()[0]} α = {f}·2/λ_max"
        a.semilogy(curves[(name, f)], style, color=color, label=label)
a.set(title="Both sides of α = 2/λ_max", xlabel="step", ylabel="loss", ylim=(1e-3, 1e8))
a.legend(fontsize=7)
fig.tight_layout()
lesson.savefig(fig, "linear_regression")

# %% [markdown]
# ## What the numbers say · 结论

# %%
shape = "×".join(str(n) for n in theta_text.shape)
lesson.conclude(
    f"教材的循环拟合不出直线：X.T * (...) 是外积，θ 变成 {shape} 的矩阵（与闭式解相差 {closed_err:.1e}）；"
    "改成矩阵乘法 X.T @ (...) 并加偏置列才对。",
    f"The text's loop does not fit a line: X.T * (...) is an outer product and θ becomes a {shape} "
    f"matrix (closed form matched to {closed_err:.1e}); the repair is X.T @ (...) plus a bias column.",
)
lesson.conclude(
    f"求和与平均不是小事：求和把 Hessian 乘以 n，α = 0.01 时 α·λ_max = {0.01 * lam_sum.max():.3g} > 2，发散。",
    f"Sum vs mean matters: the sum multiplies the Hessian by n; at α = 0.01, α·λ_max = "
    f"{0.01 * lam_sum.max():.3g} > 2 and it diverges.",
)
lesson.conclude(
    "稳定上限 α < 2/λ_max 很精确：每个数据集上，略低于它损失单调下降，略高于它损失爆炸。",
    "The limit α < 2/λ_max is sharp: just below it the loss falls at every step on every data set, "
    "just above it the loss explodes.",
)
ratio_text = lesson.results["formula_ratio_text_over_true"]
lesson.conclude(
    f"004B §4.2 的梯度公式少了因子 2（是真实梯度的 {ratio_text[0]:.3g} 倍）：梯度下降仍能收敛，梯度检查能发现它。",
    f"004B §4.2's gradients lack the factor 2 ({ratio_text[0]:.3g} × the true one): gradient descent "
    "survives it, a gradient check catches it.",
)

# %%
lesson.finish()
