# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Lesson 10 · Optimisers · 优化器
#
# **Textbook sections:** 001 §3 “核心算法原理…” (常见的优化算法有梯度下降、随机梯度下降、Adam等); 002 §3.3
# “学习率调整” (自适应学习率…例如 Adam 优化器); 004A §3.1 “超参数调整” (自适应学习率：根据训练过程中的误差
# 动态调整学习率，如Adam优化器); 004B §5.5(1) “性能调优” (调整学习率: `Adam(learning_rate=0.001)`)
#
# **You will see:** the update rules of SGD, momentum, Nesterov, AdaGrad, RMSprop, Adam and AdamW
# written in NumPy and checked against minidl's optimizers; Adam's bias correction and what its first
# step would be without it; an ill-conditioned quadratic where each optimizer, at its best learning rate,
# needs a different number of iterations (trajectories plotted); digits trained to a target accuracy by
# each optimizer over several seeds; and the text's optimizer snippet run and what it changes.
#
# **Time:** 10.1 s full, 5.4 s fast (after imports), measured on
# Intel(R) Xeon(R) Processor, 2 cores; `python -m lessons list` prints your last measured times.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

try:
    from _course import Lesson  # run as a script, or as a notebook opened in lessons/
    from _loop import digits_split, train
except ModuleNotFoundError:  # a notebook opened anywhere else (minidl installed: pip install -e .)
    from lessons._course import Lesson
    from lessons._loop import digits_split, train

import minidl as md
from minidl import nn

lesson = Lesson("10_optimisers", "Optimisers", "优化器")

# %% [markdown]
# ## 1. The update rules, side by side · 更新规则对照
#
# **问题 Question:** 每个优化器每一步到底做什么？ / What exactly does each optimizer do in one step?
#
# With g the gradient, lr the learning rate (PyTorch's conventions, as minidl's):
#
#     SGD        θ ← θ − lr·g
#     momentum   b ← μ b + g;            θ ← θ − lr·b
#     Nesterov   b ← μ b + g;            θ ← θ − lr·(g + μ b)
#     AdaGrad    G ← G + g²;             θ ← θ − lr·g/(√G + ε)
#     RMSprop    v ← α v + (1−α) g²;     θ ← θ − lr·g/(√v + ε)
#     Adam       m ← β1 m + (1−β1) g;    v ← β2 v + (1−β2) g²;
#                m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ);   θ ← θ − lr·m̂/(√v̂ + ε)
#     AdamW      θ ← θ − lr·λ θ first (decoupled weight decay), then the Adam step
#
# The NumPy functions below are these lines. We run each beside minidl's optimizer for a few steps on
# the same random gradients and compare the parameters.

# %%
HP = {
    "SGD": dict(lr=0.1),
    "momentum": dict(lr=0.1, momentum=0.9),
    "Nesterov": dict(lr=0.1, momentum=0.9, nesterov=True),
    "AdaGrad": dict(lr=0.1, eps=1e-10),
    "RMSprop": dict(lr=0.01, alpha=0.99, eps=1e-8),
    "Adam": dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8),
    "AdamW": dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1),
}
MINIDL = {
    "SGD": md.optim.SGD,
    "momentum": md.optim.SGD,
    "Nesterov": md.optim.SGD,
    "AdaGrad": md.optim.Adagrad,
    "RMSprop": md.optim.RMSprop,
    "Adam": md.optim.Adam,
    "AdamW": md.optim.AdamW,
}


def step_rule(name: str, theta: np.ndarray, g: np.ndarray, state: dict, hp: dict) -> np.ndarray:
    """One step of optimizer `name` in NumPy (the formulas above); `state` carries its buffers."""
    lr = hp["lr"]
    t = state["t"] = state.get("t", 0) + 1
    if name == "SGD":
        return theta - lr * g
    if name in ("momentum", "Nesterov"):
        mu = hp["momentum"]
        b = state["b"] = mu * state["b"] + g if "b" in state else g.copy()  # PyTorch: b₁ = g
        return theta - lr * (g + mu * b if name == "Nesterov" else b)
    if name == "AdaGrad":
        G = state["G"] = state.get("G", 0.0) + g**2
        return theta - lr * g / (np.sqrt(G) + hp["eps"])
    if name == "RMSprop":
        a = hp["alpha"]
        v = state["v"] = a * state.get("v", 0.0) + (1 - a) * g**2
        return theta - lr * g / (np.sqrt(v) + hp["eps"])
    b1, b2 = hp["betas"]
    if name == "AdamW":
        theta = theta * (1 - lr * hp["weight_decay"])
    m = state["m"] = b1 * state.get("m", 0.0) + (1 - b1) * g
    v = state["v"] = b2 * state.get("v", 0.0) + (1 - b2) * g**2
    m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + hp["eps"])


g_rng = np.random.default_rng(0)
theta0 = g_rng.normal(size=5)
grads = g_rng.normal(size=(6, 5)) * np.array([1e-3, 1e-1, 1, 10, 100])  # very different scales
rule_err = {}
for name, hp in HP.items():
    p = md.tensor(theta0.copy(), requires_grad=True)
    opt = MINIDL[name]([p], **hp)
    theta, state = theta0.copy(), {}
    for g in grads:
        opt.zero_grad()
        (p * md.tensor(g)).sum().backward()  # a loss whose gradient is exactly g
        opt.step()
        theta = step_rule(name, theta, g, state, hp)
    rule_err[name] = float(np.max(np.abs(p.data - theta)))
lesson.print_table(
    [[k, v] for k, v in rule_err.items()], ["optimizer", "max |minidl − NumPy rule| after 6 steps"]
)
lesson.result("rule_max_abs_error", rule_err)
lesson.check(
    "every NumPy update rule equals minidl's optimizer to 1e-12 (float64)",
    max(rule_err.values()) < 1e-12,
    **rule_err,
)

# %% [markdown]
# **Bias correction.** m and v start at 0, so after one step m = (1−β1) g and v = (1−β2) g²: both are
# far too small. Dividing by 1−βᵗ undoes exactly that, so Adam's first step is lr·g/|g| = lr·sign(g)
# whatever the gradient's size. Without the correction the first step would be
# lr·(1−β1)/√(1−β2) · sign(g) — computed below for β = (0.9, 0.999).

# %%
b1, b2 = 0.9, 0.999
first_steps = []
for scale in [1e-2, 1.0, 1e4]:
    g = np.array([scale])
    state = {}
    after = step_rule("Adam", np.zeros(1), g, state, dict(lr=1.0, betas=(b1, b2), eps=1e-8))
    uncorrected = (1 - b1) * g / (np.sqrt((1 - b2) * g**2) + 1e-8)
    first_steps.append([scale, float(-after[0]), float(uncorrected[0])])
lesson.print_table(
    first_steps,
    ["gradient", "Adam's first step / lr", "without bias correction / lr"],
    "Adam's first step",
)
no_corr = (1 - b1) / math.sqrt(1 - b2)
lesson.check(
    "Adam's first step is lr·sign(g) for gradients from 1e-2 to 1e4; without correction it is "
    "(1−β1)/√(1−β2) times that",
    all(abs(r[1] - 1) < 1e-3 and abs(r[2] - no_corr) < 1e-3 for r in first_steps),
    uncorrected_factor=no_corr,
)

# %% [markdown]
# ## 2. An ill-conditioned quadratic · 病态二次函数
#
# **问题 Question:** 曲率相差很大时，各优化器要迭代多少次？ / When curvatures differ a lot, how many
# iterations does each optimizer need?
#
# f = ½ uᵀHu with H's eigenvalues 1 and κ = 100: the valley is 100 times steeper across than along,
# and it runs at 30° to the coordinate axes (on an axis-aligned valley the per-coordinate methods would
# simply rescale each axis and win trivially). Plain gradient
# descent must keep lr < 2/κ to stay stable across the valley, and then crawls along it: with the best
# fixed lr = 2/(1 + κ) the error shrinks by (κ − 1)/(κ + 1) per step. Momentum can do better (√κ instead
# of κ), and the adaptive methods rescale each coordinate by its own gradient size. Each optimizer gets
# its best lr from a log grid; we count the iterations until f < 10⁻⁸.

# %%
kappa = 100.0
angle = np.pi / 6  # the valley runs at 30° to the axes, so no single coordinate is the steep one
R = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
H = R @ np.diag([1.0, kappa]) @ R.T  # the Hessian: eigenvalues 1 and κ
start = R @ np.array([1.0, 1.0])
max_iter = 3000
tol_f = 1e-8


def run_quadratic(name: str, lr: float) -> tuple[int, np.ndarray]:
    """Iterations until f < tol_f (max_iter + 1 if never), and the trajectory."""
    hp = dict(HP[name], lr=lr)
    if name == "AdamW":
        hp["weight_decay"] = 0.0  # the minimum is at 0; decay would only help here, so turn it off
    theta, state, path = start.copy(), {}, [start.copy()]
    for it in range(1, max_iter + 1):
        theta = step_rule(name, theta, H @ theta, state, hp)
        path.append(theta.copy())
        f = 0.5 * theta @ H @ theta
        if not np.isfinite(f) or f > 1e12:
            return max_iter + 1, np.array(path)
        if f < tol_f:
            return it, np.array(path)
    return max_iter + 1, np.array(path)


lr_grid = np.logspace(-4, 0.5, lesson.pick(46, 19))
best = {}
for name in ["SGD", "momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"]:
    results = [(run_quadratic(name, lr)[0], lr) for lr in lr_grid]
    iters, lr = min(results)
    best[name] = {"iterations": iters, "lr": float(lr), "path": run_quadratic(name, lr)[1]}
f_start = 0.5 * start @ H @ start
# at lr = 2/(1+κ) both eigen-directions shrink by (κ−1)/(κ+1) per step, so f_t = r^(2t) f_0
gd_theory = math.ceil(math.log(tol_f / f_start) / (2 * math.log((kappa - 1) / (kappa + 1))))
lesson.print_table(
    [[k, v["lr"], v["iterations"]] for k, v in best.items()],
    ["optimizer", "best lr on the grid", f"iterations to f < {tol_f:g} (> {max_iter} = never)"],
    f"f = ½ uᵀHu, eigenvalues 1 and {kappa:g}, valley at 30°",
)
gd_at_best = run_quadratic("SGD", 2 / (1 + kappa))[0]
print(f"gradient descent at lr = 2/(1+κ): {gd_at_best} iterations; theory: {gd_theory}")
lesson.result(
    "quadratic", {k: {"lr": v["lr"], "iterations": v["iterations"]} for k, v in best.items()}
)
lesson.check(
    "gradient descent at lr = 2/(1+κ) needs exactly the theory's count (±1 iteration)",
    abs(gd_at_best - gd_theory) <= 1,
    measured=gd_at_best,
    theory=gd_theory,
    best_on_grid=best["SGD"]["iterations"],
)
lesson.check(
    "momentum and Nesterov need at least 3× fewer iterations than plain gradient descent",
    best["momentum"]["iterations"] * 3 < best["SGD"]["iterations"]
    and best["Nesterov"]["iterations"] * 3 < best["SGD"]["iterations"],
    sgd=best["SGD"]["iterations"],
    momentum=best["momentum"]["iterations"],
    nesterov=best["Nesterov"]["iterations"],
)

lesson.check(
    "on the tilted valley the per-coordinate methods (AdaGrad, RMSprop) do not beat momentum",
    best["AdaGrad"]["iterations"] > best["momentum"]["iterations"]
    and best["RMSprop"]["iterations"] > best["momentum"]["iterations"],
    adagrad=best["AdaGrad"]["iterations"],
    rmsprop=best["RMSprop"]["iterations"],
    momentum=best["momentum"]["iterations"],
)

# %% [markdown]
# ## 3. Digits: epochs to a target accuracy · digits：达到目标准确率所需轮次
#
# **问题 Question:** 在真实的小网络上，哪个优化器更快达到目标验证准确率？ / On a real small network,
# which optimizer reaches a target validation accuracy first?
#
# A 64 → 64 (ReLU) → 10 MLP, batches of 32, each optimizer at a common default learning rate (SGD at
# 0.01 and 0.1, momentum 0.9 at 0.01, Adam and RMSprop at 0.001, AdaGrad at 0.01), several seeds.

# %%
X_tr, y_tr, X_va, y_va = digits_split(1400, seed=0)
settings = {
    "SGD lr 0.01": ("SGD", dict(lr=0.01)),
    "SGD lr 0.1": ("SGD", dict(lr=0.1)),
    "momentum lr 0.01": ("momentum", dict(lr=0.01, momentum=0.9)),
    "AdaGrad lr 0.01": ("AdaGrad", dict(lr=0.01)),
    "RMSprop lr 0.001": ("RMSprop", dict(lr=0.001)),
    "Adam lr 0.001": ("Adam", dict(lr=0.001)),
}
epochs = lesson.pick(20, 4)
seeds = list(range(lesson.pick(3, 2)))
target = lesson.pick(0.95, 0.85)
curves = {}
for label, (name, hp) in settings.items():
    runs = []
    for s in lesson.progress(seeds, label):
        md.manual_seed(s)
        model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
        opt = MINIDL[name](model.parameters(), **hp)
        h = train(model, opt, X_tr, y_tr, epochs, seed=s, validation_data=(X_va, y_va))
        runs.append(h["val_accuracy"])
    curves[label] = np.array(runs)


def epochs_to(acc: np.ndarray) -> float:
    hit = np.nonzero(acc >= target)[0]
    return float(hit[0] + 1) if len(hit) else float("inf")


reach = {k: [epochs_to(r) for r in v] for k, v in curves.items()}
lesson.print_table(
    [[k, np.median(reach[k]), max(reach[k]), v[:, -1].mean()] for k, v in curves.items()],
    ["optimizer", f"median epochs to {target:.0%}", "worst seed", f"val acc ep {epochs}"],
    f"digits MLP, {len(seeds)} seeds (inf = not within {epochs} epochs)",
)
lesson.result("digits_epochs_to_target", reach)
lesson.check(
    "Adam (lr 0.001) and momentum (lr 0.01) reach the target sooner than SGD at lr 0.01, every seed",
    max(reach["Adam lr 0.001"]) < min(reach["SGD lr 0.01"])
    and max(reach["momentum lr 0.01"]) < min(reach["SGD lr 0.01"]),
    adam=reach["Adam lr 0.001"],
    momentum=reach["momentum lr 0.01"],
    sgd=reach["SGD lr 0.01"],
)
lesson.check(
    "plain SGD catches up when its lr is 10× larger: SGD lr 0.1 reaches the target in every seed",
    bool(np.all(np.isfinite(reach["SGD lr 0.1"]))),
    sgd_01=reach["SGD lr 0.1"],
)

# %% [markdown]
# ## 4. What the text says about Adam, run · 教材关于 Adam 的说法
#
# **问题 Question:** Adam 是“根据误差”调整学习率吗？教材的代码改变了什么？ / Does Adam adjust its
# learning rate “by the error”? What does the text's snippet change?
#
# If Adam adapted its step to the size of the error, multiplying the loss by 100 would change its steps.
# Its step is lr·m̂/(√v̂ + ε): scaling every gradient by c scales m̂ by c and √v̂ by c, which cancel.
# SGD's steps scale with the loss. We train the digits MLP with the loss ×1 and ×100.


# %%
def weights_after(opt_name: str, hp: dict, loss_scale: float, steps: int = 30) -> np.ndarray:
    """The first layer's weights after `steps` full-batch steps on loss_scale × cross-entropy."""
    md.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = MINIDL[opt_name](model.parameters(), **hp)
    xb = md.tensor(X_tr[:256])
    for _ in range(steps):
        loss = md.nn.functional.cross_entropy(model(xb), y_tr[:256]) * loss_scale
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model[0].weight.data.copy()


md.manual_seed(0)
init_w = nn.Linear(64, 64).weight.data.copy()
moves = {}
for name, hp in [("Adam", dict(lr=1e-3)), ("SGD", dict(lr=1e-3))]:
    a, b = weights_after(name, hp, 1.0), weights_after(name, hp, 100.0)
    moves[name] = float(np.linalg.norm(b - init_w) / np.linalg.norm(a - init_w))
lesson.print_table(
    [[k, v] for k, v in moves.items()],
    ["optimizer", "distance moved with loss ×100 / with loss ×1"],
    "30 steps on a digits batch",
)
lesson.result("loss_scale_move_ratio", moves)
lesson.check(
    "scaling the loss by 100 leaves Adam's updates (nearly) unchanged and makes SGD's ~100× larger",
    abs(moves["Adam"] - 1) < 0.05 and moves["SGD"] > 30,
    **moves,
)
lesson.textbook(
    "004A §3.1 超参数调整（学习率调整）",
    "自适应学习率：根据训练过程中的误差动态调整学习率，如Adam优化器",
    "an adaptive learning rate adjusts the rate dynamically from the training error, e.g. Adam",
    f"loss ×100 moves Adam's weights {moves['Adam']:.3f}× as far (SGD: {moves['SGD']:.3g}×)",
    agree=abs(moves["Adam"] - 1) > 0.05,
    explanation=(
        "Adam rescales each parameter's step by its own running gradient moments (m̂/√v̂), which is "
        "invariant to the loss's scale — it does not follow the size of the error"
    ),
)
ratio_spread = []
for name, hp in [("Adam", dict(lr=1e-3))]:
    p = md.tensor(theta0.copy(), requires_grad=True)
    opt = MINIDL[name]([p], **hp)
    before = p.data.copy()
    (p * md.tensor(grads[0])).sum().backward()
    opt.step()
    ratio_spread = np.abs(p.data - before) / np.abs(grads[0])  # effective lr per coordinate
lesson.textbook(
    "002 §3.3 学习率调整",
    "自适应学习率：根据模型的训练状态动态调整学习率，例如 Adam 优化器",
    "an adaptive rate follows the training state, e.g. Adam (per parameter, from the gradients)",
    f"Adam's effective lr |Δθ|/|g| on one step spans {ratio_spread.min():.3g} to {ratio_spread.max():.3g} "
    "across 5 coordinates (SGD: one value)",
    agree=bool(ratio_spread.max() / ratio_spread.min() > 100),
    explanation="Adam's effective learning rate did not differ across parameters",
)

# %% [markdown]
# 004B §5.5(1) “调整学习率” re-compiles the model with `tf.keras.optimizers.Adam(learning_rate=0.001)`
# where it had used `optimizer='adam'`. Keras's Adam has the default learning_rate=0.001 (minidl's and
# PyTorch's Adam: lr=1e-3). We train both spellings from the same seed.


# %%
def history_with(opt_factory) -> list[float]:
    md.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = opt_factory(model.parameters())
    return train(model, opt, X_tr, y_tr, 3, seed=0, validation_data=(X_va, y_va))["val_loss"]


h_default = history_with(lambda p: md.optim.Adam(p))  # optimizer='adam'
h_snippet = history_with(lambda p: md.optim.Adam(p, lr=0.001))  # Adam(learning_rate=0.001)
snippet_diff = float(np.max(np.abs(np.array(h_default) - np.array(h_snippet))))
lesson.textbook(
    "004B §5.5(1) 性能调优（调整学习率）",
    "调整学习率：通过调整学习率可以加快或减缓模型的收敛速度。optimizer=tf.keras.optimizers.Adam(learning_rate=0.001)",
    "the snippet adjusts the learning rate to speed up or slow down convergence",
    f"Adam's default lr is {md.optim.Adam([md.zeros(1, requires_grad=True)]).defaults['lr']:g}: "
    f"val-loss histories of 'adam' and Adam(lr=0.001) differ by {snippet_diff:g}",
    agree=snippet_diff > 0,
    explanation="0.001 is Adam's default learning rate: the snippet re-states it and changes nothing",
)

# %% [markdown]
# ## 5. Figures · 图

# %%
fig, ax = plt.subplots(1, 3, figsize=(15, 4.4))
xx, yy = np.meshgrid(np.linspace(-1.5, 1.5, 200), np.linspace(-1.5, 1.5, 200))
ff = 0.5 * (H[0, 0] * xx**2 + 2 * H[0, 1] * xx * yy + H[1, 1] * yy**2)
ax[0].contour(xx, yy, ff, levels=np.logspace(-3, 2, 12), colors="0.8")
for name in ["SGD", "momentum", "Adam"]:
    path = best[name]["path"][:80]
    ax[0].plot(path[:, 0], path[:, 1], marker=".", ms=3, lw=0.8, label=f"{name} (first 80 steps)")
ax[0].set(title=f"trajectories, κ = {kappa:g}", xlabel="u₁", ylabel="u₂")
ax[0].legend(fontsize=8)
for name, v in best.items():
    f_path = 0.5 * np.einsum("ti,ij,tj->t", v["path"], H, v["path"])
    ax[1].semilogy(np.maximum(f_path, 1e-16), label=f"{name} (lr {v['lr']:.2g})")
ax[1].set(title="f per iteration, each at its best lr", xlabel="iteration", xlim=(0, max_iter // 3))
ax[1].legend(fontsize=8)
for k, v in curves.items():
    ax[2].plot(np.arange(1, epochs + 1), v.mean(0), marker="o", ms=3, label=k)
ax[2].axhline(target, color="grey", ls=":")
ax[2].set(title="digits val accuracy (mean over seeds)", xlabel="epoch", ylim=(0.5, 1))
ax[2].legend(fontsize=8)
fig.tight_layout()
lesson.savefig(fig, "optimisers")

# %% [markdown]
# ## What the numbers say · 结论

# %%
lesson.conclude(
    f"各优化器的 NumPy 更新规则与 minidl 一致（误差 {max(rule_err.values()):.1e}）；偏差修正让 Adam 第一步恰为 "
    f"lr·sign(g)，没有它第一步会是 {no_corr:.3g} 倍。",
    f"The NumPy update rules match minidl's optimizers ({max(rule_err.values()):.1e}); bias correction "
    f"makes Adam's first step lr·sign(g) — without it the step is {no_corr:.3g}× that.",
)
lesson.conclude(
    f"κ = {kappa:g} 的二次函数上，梯度下降（lr = 2/(1+κ)）要 {gd_at_best} 次（理论 {gd_theory}），动量 "
    f"{best['momentum']['iterations']} 次，Adam {best['Adam']['iterations']} 次；山谷是斜的，逐坐标缩放的 AdaGrad "
    f"({best['AdaGrad']['iterations']}) 和 RMSprop ({best['RMSprop']['iterations']}) 不如动量。",
    f"On the κ = {kappa:g} quadratic gradient descent (lr = 2/(1+κ)) needs {gd_at_best} iterations "
    f"(theory {gd_theory}), momentum {best['momentum']['iterations']}, Adam {best['Adam']['iterations']}; "
    f"on a tilted valley the per-coordinate AdaGrad ({best['AdaGrad']['iterations']}) and RMSprop "
    f"({best['RMSprop']['iterations']}) do worse than momentum.",
)
lesson.conclude(
    f"digits 上 Adam(0.001) 中位 {np.median(reach['Adam lr 0.001']):g} 轮达到 {target:.0%}，SGD(0.01) "
    f"{np.median(reach['SGD lr 0.01']):g} 轮；学习率放大 10 倍后 SGD 为 {np.median(reach['SGD lr 0.1']):g} 轮——"
    "比较优化器离不开各自的学习率。",
    f"On digits Adam (0.001) reaches {target:.0%} in a median {np.median(reach['Adam lr 0.001']):g} "
    f"epochs, SGD (0.01) in {np.median(reach['SGD lr 0.01']):g}; with 10× the lr SGD needs "
    f"{np.median(reach['SGD lr 0.1']):g} — optimizers are compared at their learning rates.",
)
lesson.conclude(
    f"Adam 不是“根据误差”调整：损失放大 100 倍，Adam 的更新只变为 {moves['Adam']:.3f} 倍（SGD {moves['SGD']:.3g} 倍）。"
    "教材的 Adam(learning_rate=0.001) 就是默认值，什么也没改变。",
    f"Adam does not follow the error: with the loss ×100 its updates change by {moves['Adam']:.3f}× "
    f"(SGD {moves['SGD']:.3g}×). The text's Adam(learning_rate=0.001) is the default and changes nothing.",
)

# %%
lesson.finish()
