# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Lesson 9 · Choosing the learning rate · 选择学习率
#
# **Textbook sections:** 004B §3.1(1) “学习率调整” (初始学习率：通常建议从较小的学习率开始，如10⁻⁵或10⁻⁶),
# §9.1 “如何选择合适的学习率？”; 004A §3.1 “超参数调整” (适当的学习率可以提高模型收敛速度，过大的学习率可能
# 导致模型过早发散，过小则可能导致训练时间过长), §9.1; 001 §8 “附录” (需要选择合适的学习率); 003 §3.2 “学习率调整”
#
# **You will see:** a digits MLP trained at learning rates from 10⁻⁶ to 10 on a log grid, over several
# seeds — where it crawls, where it learns, where it diverges; the text's advice to start at 10⁻⁵ or
# 10⁻⁶ run as given; and the learning-rate range test (`minidl.train.lr_range_test`): its curve, its
# suggestion, and how that suggestion trains compared with the best rate of the sweep.
#
# **Time:** 12.4 s full, 7.2 s fast (after imports), measured on
# Intel(R) Xeon(R) Processor, 2 cores; `python -m lessons list` prints your last measured times.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

try:
    from _course import Lesson  # run as a script, or as a notebook opened in lessons/
    from _loop import digits_split
except ModuleNotFoundError:  # a notebook opened anywhere else (minidl installed: pip install -e .)
    from lessons._course import Lesson
    from lessons._loop import digits_split

import minidl as md
from minidl import nn
from minidl.train import NonFiniteLossError, Trainer, lr_range_test, plot_lr_range

lesson = Lesson("09_learning_rate", "Choosing the learning rate", "选择学习率")

# %% [markdown]
# ## 1. A log-scale sweep, 10⁻⁶ to 10 · 对数刻度扫描
#
# **问题 Question:** 学习率太小、合适、太大时，训练分别是什么样？ / What does training look like when
# the learning rate is too small, right, and too large?
#
# The same 64 → 64 (ReLU) → 10 MLP, plain SGD, batches of 32, a fixed number of epochs; only the
# learning rate changes. A run whose loss becomes NaN or infinite is stopped by `Trainer.fit`
# (NonFiniteLossError); it, and a run that ends with a higher training loss than the untrained model
# had, count as diverged.

# %%
X_tr, y_tr, X_va, y_va = digits_split(1400, seed=0)
lrs = np.logspace(-6, 1, lesson.pick(15, 8))
epochs = lesson.pick(10, 4)
seeds = list(range(lesson.pick(3, 2)))
chance = 1 / 10


def make_trainer(lr: float, seed: int, opt: str = "SGD") -> Trainer:
    md.manual_seed(seed)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    optim = (md.optim.SGD if opt == "SGD" else md.optim.Adam)(model.parameters(), lr=lr)
    return Trainer(model, nn.CrossEntropyLoss(), optim, metrics=["accuracy"])


def train_at(lr: float, seed: int, opt: str = "SGD", n_epochs: int | None = None) -> dict:
    """Final train loss and val accuracy at `lr` (diverged: loss inf, val acc nan)."""
    tr = make_trainer(lr, seed, opt)
    init_loss = tr.evaluate(X_tr, y_tr, verbose=0)[0]  # the untrained model's training loss
    try:
        with np.errstate(all="ignore"):
            h = tr.fit(X_tr, y_tr, epochs=n_epochs or epochs, batch_size=32, verbose=0)
    except NonFiniteLossError:
        return {"loss": math.inf, "val_acc": math.nan, "first_loss": math.nan, "init": init_loss}
    final = tr.evaluate(X_tr, y_tr, verbose=0)[0]
    if not math.isfinite(final):
        return {"loss": math.inf, "val_acc": math.nan, "first_loss": math.nan, "init": init_loss}
    return {
        "loss": final,  # the whole training set after training (same measure as init_loss)
        "val_acc": tr.evaluate(X_va, y_va, verbose=0)[1],
        "first_loss": h.history["loss"][0],
        "init": init_loss,
    }


sweep = {float(lr): [train_at(float(lr), s) for s in seeds] for lr in lesson.progress(lrs, "sweep")}


def col(lr: float, key: str) -> np.ndarray:
    return np.array([r[key] for r in sweep[lr]])


def failed(lr: float) -> np.ndarray:
    """Per seed: did the run diverge (non-finite loss, or a final loss above the untrained one)?"""
    loss = col(lr, "loss")
    return ~np.isfinite(loss) | (loss > col(lr, "init"))


lesson.print_table(
    [
        [
            lr,
            col(lr, "loss").mean(),
            np.nanmean(col(lr, "val_acc")) if np.isfinite(col(lr, "val_acc")).any() else "nan",
            int(np.sum(failed(lr))),
        ]
        for lr in sweep
    ],
    ["lr", f"train loss after {epochs} epochs", "val acc", f"diverged (of {len(seeds)})"],
    f"digits MLP, SGD, {epochs} epochs, {len(seeds)} seeds",
)
lesson.result(
    "sweep", {f"{lr:.3g}": {"loss": col(lr, "loss"), "val_acc": col(lr, "val_acc")} for lr in sweep}
)
grid = list(sweep)
ok = [lr for lr in grid if not np.any(failed(lr))]
best_lr = max(ok, key=lambda lr: col(lr, "val_acc").mean())

diverged = [lr for lr in grid if np.any(failed(lr))]
first_div = min([lr for lr in diverged if lr > best_lr], default=math.inf)
tiny = grid[0]
lesson.check(
    "the smallest rate (1e-6) leaves the model at chance: val acc within 10 points of 0.1, every seed",
    bool(np.all(np.abs(col(tiny, "val_acc") - chance) < 0.1)),
    val_acc=col(tiny, "val_acc"),
)
lesson.check(
    "the best rate of the sweep reaches > 90% val accuracy in every seed",
    bool(np.all(col(best_lr, "val_acc") > 0.9)),
    best_lr=best_lr,
    val_acc=col(best_lr, "val_acc"),
)
lesson.check(
    "the largest rate (10) fails in every seed, and no rate below the best one does",
    bool(np.all(failed(grid[-1]))) and not any(np.any(failed(lr)) for lr in grid if lr < best_lr),
    first_diverging=first_div,
    best=best_lr,
)
lesson.textbook(
    "004A §3.1 超参数调整（学习率调整）",
    "适当的学习率可以提高模型收敛速度，过大的学习率可能导致模型过早发散，过小则可能导致训练时间过长",
    "a suitable lr converges fast; too large diverges; too small trains too slowly",
    f"after {epochs} epochs: lr {tiny:g} → loss {col(tiny, 'loss').mean():.3g}; lr {best_lr:.3g} → "
    f"loss {col(best_lr, 'loss').mean():.3g}; from lr {first_div:.3g} the loss diverges",
    agree=bool(
        col(tiny, "loss").mean() > 2 * col(best_lr, "loss").mean() and math.isfinite(first_div)
    ),
    explanation="the sweep did not show slow, good and diverging regimes",
)

# %% [markdown]
# ## 2. The text's advice: start at 10⁻⁵ or 10⁻⁶ · 教材建议从 10⁻⁵ 或 10⁻⁶ 开始
#
# **问题 Question:** 按教材建议的初始学习率训练，会发生什么？ / What happens when training starts at
# the rate the text recommends?
#
# 004B §3.1(1) and §9.1 recommend an initial learning rate of 10⁻⁵ or 10⁻⁶. We train at both, with
# SGD and with Adam, for the same epochs, and compare with the best rate of the sweep.

# %%
advice = {}
for opt in ["SGD", "Adam"]:
    for lr in [1e-5, 1e-6]:
        advice[(opt, lr)] = [train_at(lr, s, opt) for s in seeds]
advice[("SGD", best_lr)] = sweep[best_lr]
advice[("Adam", 1e-3)] = [train_at(1e-3, s, "Adam") for s in seeds]
lesson.print_table(
    [
        [
            opt,
            lr,
            np.mean([r["first_loss"] for r in rs]),
            np.mean([r["loss"] for r in rs]),
            np.mean([r["val_acc"] for r in rs]),
        ]
        for (opt, lr), rs in advice.items()
    ],
    ["optimizer", "lr", "loss epoch 1", f"loss epoch {epochs}", "val acc"],
    f"The text's initial rates against good ones, {epochs} epochs",
)
adv_acc = {k: np.array([r["val_acc"] for r in v]) for k, v in advice.items()}
lesson.result("advice_val_acc", {f"{o} {lr:g}": v for (o, lr), v in adv_acc.items()})
worst_text = max(adv_acc[(o, lr)].max() for o in ["SGD", "Adam"] for lr in [1e-5, 1e-6])
lesson.check(
    "at 1e-5 and 1e-6 neither SGD nor Adam gets beyond 60% val accuracy in any seed",
    worst_text < 0.6,
    best_of_text_rates=worst_text,
)
lesson.textbook(
    "004B §3.1(1) 学习率调整 / §9.1 如何选择合适的学习率？",
    "初始学习率：通常建议从较小的学习率开始，如10⁻⁵或10⁻⁶",
    "start from a small learning rate such as 1e-5 or 1e-6",
    f"val acc after {epochs} epochs: SGD 1e-5 {adv_acc[('SGD', 1e-5)].mean():.3f}, Adam 1e-5 "
    f"{adv_acc[('Adam', 1e-5)].mean():.3f}; SGD {best_lr:.3g} {adv_acc[('SGD', best_lr)].mean():.3f}, "
    f"Adam 1e-3 {adv_acc[('Adam', 1e-3)].mean():.3f}",
    agree=bool(worst_text > 0.9),
    explanation=(
        f"1e-5 and 1e-6 are far below where these models learn: in {epochs} epochs the loss "
        f"barely moves from ln 10 = {math.log(10):.3f}; start where the sweep or the range test "
        f"(section 3) says — here SGD at {best_lr:.3g}, Adam at its default 1e-3"
    ),
)

# %% [markdown]
# ## 3. The learning-rate range test · 学习率范围测试
#
# **问题 Question:** 只训练一小段就能找到好的学习率吗？ / Can a short run find a good learning rate?
#
# `lr_range_test(trainer, x, y, start_lr, end_lr, num_iter)` trains for `num_iter` batches while the
# rate grows exponentially from start_lr to end_lr, records the (smoothed) loss, and suggests the rate
# where the loss falls fastest; it then puts the model and optimizer back as they were. We run it on a
# fresh model, then train at its suggestion.

# %%
probe = make_trainer(1e-3, seed=0)
before = [w.copy() for w in probe.get_weights()]
result = lr_range_test(
    probe, X_tr, y_tr, start_lr=1e-6, end_lr=10.0, num_iter=lesson.pick(200, 100)
)
restored = all(np.array_equal(a, b) for a, b in zip(before, probe.get_weights(), strict=True))
suggested = float(result.suggested_lr)
print(
    f"range test: {len(result.lrs)} rates tried, suggested lr {suggested:.3g}, "
    f"lr_min {result.lr_min:.3g}"
)
at_suggested = [train_at(suggested, s) for s in seeds]
sugg_acc = np.array([r["val_acc"] for r in at_suggested])
lesson.result(
    "range_test",
    {"suggested_lr": suggested, "lr_min": float(result.lr_min), "val_acc_at_suggested": sugg_acc},
)
lesson.check("the range test leaves the model's weights exactly as they were", restored)
lesson.check(
    "the suggestion lies between the slow and the diverging rates of the sweep",
    tiny < suggested < first_div,
    suggested=suggested,
    first_diverging=first_div,
)
at_min = np.array([train_at(float(result.lr_min), s)["val_acc"] for s in seeds])
lesson.result("val_acc_at_lr_min", at_min)
lesson.print_table(
    [
        ["sweep's best", best_lr, col(best_lr, "val_acc").mean(), col(best_lr, "val_acc").min()],
        ["range test: steepest descent", suggested, sugg_acc.mean(), sugg_acc.min()],
        ["range test: lr_min (minimum / 10)", float(result.lr_min), at_min.mean(), at_min.min()],
    ],
    ["rate", "lr", "val acc (mean)", "worst seed"],
    f"Training {epochs} epochs at each rate",
)
lesson.check(
    "training at the suggested rate gets within 5 points of the sweep's best (mean over seeds)",
    bool(sugg_acc.mean() > col(best_lr, "val_acc").mean() - 0.05),
    at_suggested=sugg_acc,
    best_of_sweep=col(best_lr, "val_acc").mean(),
)

# %% [markdown]
# ## 4. Figures · 图

# %%
fig, ax = plt.subplots(1, 3, figsize=(15, 4.2))
mean_loss = [
    col(lr, "loss").mean() if np.all(np.isfinite(col(lr, "loss"))) else np.nan for lr in grid
]
ax[0].loglog(grid, mean_loss, "o-")
for lr in diverged:
    ax[0].axvline(lr, color="red", alpha=0.2)
ax[0].set(title=f"train loss after {epochs} epochs (red: diverged)", xlabel="learning rate")
ax[1].semilogx(grid, [np.nanmean(col(lr, "val_acc")) if lr in ok else np.nan for lr in grid], "o-")
ax[1].axhline(chance, color="grey", ls=":")
ax[1].axvline(suggested, color="green", ls="--", label=f"range test: {suggested:.2g}")
ax[1].set(title="val accuracy by learning rate", xlabel="learning rate", ylim=(0, 1))
ax[1].legend()
ax[2].semilogx(result.lrs, result.losses, label="smoothed loss")
ax[2].axvline(suggested, color="green", ls="--", label="suggested (steepest)")
ax[2].axvline(result.lr_min, color="grey", ls=":", label="lr_min (minimum / 10)")
ax[2].set(title="LR range test", xlabel="learning rate (grows each batch)", ylabel="loss")
ax[2].legend(fontsize=8)
fig.tight_layout()
lesson.savefig(fig, "learning_rate")
lesson.savefig(plot_lr_range(result), "lr_range_test")

# %% [markdown]
# ## What the numbers say · 结论

# %%
lesson.conclude(
    f"学习率 {tiny:g} 时 {epochs} 轮后仍停在随机水平；{best_lr:.3g} 最好（{col(best_lr, 'val_acc').mean():.3f}）；"
    f"从 {first_div:.3g} 起发散。",
    f"At {tiny:g} the model is still at chance after {epochs} epochs; {best_lr:.3g} is best "
    f"({col(best_lr, 'val_acc').mean():.3f}); from {first_div:.3g} on it diverges.",
)
lesson.conclude(
    f"教材建议的初始学习率 10⁻⁵/10⁻⁶ 太小：SGD 与 Adam 都不超过 {worst_text:.3f}。",
    f"The text's initial rates 1e-5/1e-6 are too small: neither SGD nor Adam gets beyond {worst_text:.3f}.",
)
lesson.conclude(
    f"学习率范围测试用 {len(result.lrs)} 个批次建议 {suggested:.3g}，以它训练得到 {sugg_acc.mean():.3f}"
    f"（最差种子 {sugg_acc.min():.3f}），lr_min = {result.lr_min:.3g} 得到 {at_min.mean():.3f}；"
    f"扫描最佳为 {col(best_lr, 'val_acc').mean():.3f}。",
    f"The range test, in {len(result.lrs)} batches, suggests {suggested:.3g}; training there gives "
    f"{sugg_acc.mean():.3f} (worst seed {sugg_acc.min():.3f}), lr_min = {result.lr_min:.3g} gives "
    f"{at_min.mean():.3f}; the sweep's best {col(best_lr, 'val_acc').mean():.3f}.",
)

# %%
lesson.finish()
