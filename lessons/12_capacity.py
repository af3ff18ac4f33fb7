# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Lesson 12 · Under- and overfitting · 欠拟合与过拟合
#
# **Textbook sections:** 002 §2.2 “欠拟合与过拟合”, §9.2 “如何判断模型是否过拟合？”; 003 §8.3 “为什么模型容易
# 过拟合？”; 004A §3.1(3) “隐藏层节点数调整”, §3.3 “模型结构优化”, §9.3 “如何避免模型过拟合？”; 004B §3.3
# “模型结构优化” (添加或减少隐藏层, 调整隐藏层节点数)
#
# **You will see:** polynomial regression of increasing degree with its training and validation error
# (underfitting on the left, overfitting on the right), and what more data does to it; an MLP width
# sweep on a small digits subset with noisy labels; and each piece of the text's advice on avoiding
# overfitting — a simpler model, more data, L2, early stopping, more hidden units — run on the
# overfitting network over several seeds.
#
# **Time:** 12.5 s full, 5.1 s fast (after imports), measured on
# Intel(R) Xeon(R) Processor, 2 cores; `python -m lessons list` prints your last measured times.

# %%
import matplotlib.pyplot as plt
import numpy as np
from numpy.polynomial import legendre

try:
    from _course import Lesson  # run as a script, or as a notebook opened in lessons/
    from _loop import digits_split
except ModuleNotFoundError:  # a notebook opened anywhere else (minidl installed: pip install -e .)
    from lessons._course import Lesson
    from lessons._loop import digits_split

import minidl as md
from minidl import nn
from minidl.train import EarlyStopping, Trainer

lesson = Lesson("12_capacity", "Under- and overfitting", "欠拟合与过拟合")

# %% [markdown]
# ## 1. Polynomial degree · 多项式阶数
#
# **问题 Question:** 模型容量从小到大，训练误差和验证误差怎样变化？ / As capacity grows, how do the
# training and validation errors change?
#
# y = sin(2πx) + noise (σ = 0.2) on x ∈ [−1, 1]; 20 training points, 500 validation points. A
# polynomial of degree d (Legendre basis, least squares — the exact minimiser, so any gap is the
# model, not the optimiser). 002 §2.2: underfitting is poor on both sets; overfitting is good on the
# training set and worse on the test set.

# %%
degrees = list(range(0, 16))
poly_seeds = list(range(lesson.pick(20, 8)))
noise = 0.2


def poly_errors(n_train: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Train and validation MSE for each degree, on one random draw of the data."""
    rng = np.random.default_rng(seed)
    x, xv = rng.uniform(-1, 1, n_train), rng.uniform(-1, 1, 500)
    y = np.sin(2 * np.pi * x) + rng.normal(0, noise, n_train)
    yv = np.sin(2 * np.pi * xv) + rng.normal(0, noise, 500)
    tr, va = [], []
    for d in degrees:
        w = np.linalg.lstsq(legendre.legvander(x, d), y, rcond=None)[0]
        tr.append(np.mean((legendre.legvander(x, d) @ w - y) ** 2))
        va.append(np.mean((legendre.legvander(xv, d) @ w - yv) ** 2))
    return np.array(tr), np.array(va)


small = np.array([poly_errors(20, s) for s in poly_seeds])  # (seeds, 2, degrees)
large = np.array([poly_errors(200, s) for s in poly_seeds])
med = {k: np.median(v, axis=0) for k, v in [("n=20", small), ("n=200", large)]}
lesson.print_table(
    [
        [d, med["n=20"][0, d], med["n=20"][1, d], med["n=200"][0, d], med["n=200"][1, d]]
        for d in degrees
    ],
    ["degree", "train MSE (n=20)", "val MSE (n=20)", "train MSE (n=200)", "val MSE (n=200)"],
    f"polynomial fits, median over {len(poly_seeds)} draws; noise variance {noise**2:g}",
)
best_d = int(np.argmin(med["n=20"][1]))
lesson.result("poly_best_degree_n20", best_d)
lesson.result("poly_median_errors", {k: v for k, v in med.items()})
tr20, va20 = med["n=20"]
lesson.check(
    "degree 0–1 underfit: train and val MSE both > 5× the noise variance",
    bool(np.all(tr20[:2] > 5 * noise**2) and np.all(va20[:2] > 5 * noise**2)),
    train=tr20[:2],
    val=va20[:2],
)
lesson.check(
    "degree 15 with 20 points overfits: train MSE below the noise variance, val MSE > 10× train",
    bool(tr20[15] < noise**2 and va20[15] > 10 * tr20[15]),
    train=tr20[15],
    val=va20[15],
)
lesson.check(
    "the best validation degree lies in between (3–10): val MSE < 1/3 of degree 1's, < 1/100 of 15's",
    3 <= best_d <= 10 and va20[best_d] < va20[1] / 3 and va20[best_d] < va20[15] / 100,
    best_degree=best_d,
    val=va20[best_d],
)
lesson.textbook(
    "002 §2.2 欠拟合与过拟合",
    "欠拟合是指模型无法有效学习训练数据的特征，导致模型在训练集和测试集上的性能都较差。过拟合是指模型过度拟合训练数据，导致模型在训练集上表现良好，但在测试集上性能下降",
    "underfitting: poor on both sets; overfitting: good on training, worse on test",
    f"degree 1: train {tr20[1]:.3g}, val {va20[1]:.3g}; degree 15: train {tr20[15]:.3g}, val "
    f"{va20[15]:.3g} (noise variance {noise**2:g})",
    agree=bool(tr20[1] > 5 * noise**2 and va20[1] > 5 * noise**2 and va20[15] > 10 * tr20[15]),
    explanation="the errors did not follow the described pattern",
)
lesson.textbook(
    "002 §9.2 如何判断模型是否过拟合？",
    "可以通过比较模型在训练集和测试集上的性能来判断模型是否过拟合。如果模型在训练集上表现良好，但在测试集上性能下降，则可能存在过拟合",
    "compare training and test performance: a large gap signals overfitting",
    f"val/train MSE ratio: {va20[best_d] / tr20[best_d]:.3g} at the best degree {best_d}, "
    f"{va20[15] / tr20[15]:.3g} at degree 15",
    agree=bool(va20[15] / tr20[15] > 5 * va20[best_d] / tr20[best_d]),
    explanation="the gap did not separate the overfit model from the good one",
)
lesson.textbook(
    "003 §8.3 为什么模型容易过拟合？",
    "我们可以通过简化模型结构、增加训练数据、添加正则化方法等方法来减少过拟合",
    "a simpler model or more training data reduce overfitting",
    f"degree 15 val MSE: {va20[15]:.3g} with 20 points, {med['n=200'][1, 15]:.3g} with 200; "
    f"degree {best_d} with 20 points: {va20[best_d]:.3g}",
    agree=bool(med["n=200"][1, 15] < va20[15] / 5 and va20[best_d] < va20[15] / 5),
    explanation="neither a simpler model nor more data helped",
)

# %% [markdown]
# ## 2. Width of an MLP on a small, noisy task · 小规模含噪任务上的网络宽度
#
# **问题 Question:** 隐藏层越宽，是拟合能力更强还是更容易过拟合？ / Does a wider hidden layer fit
# better, overfit more, or both?
#
# Clean digits is too easy to show overfitting, so: 300 training images with 20% of their labels
# replaced by random ones, 500 clean validation images. One hidden layer (ReLU) of several widths,
# Adam (lr 1e-2), batches of 32, trained long enough to fit. 004A §3.1(3): more hidden units raise the
# fitting capacity but may overfit.

# %%
X_tr_all, y_tr_all, X_va, y_va = digits_split(
    1297, seed=0
)  # a pool for the subsets; 500 to validate
n_small, flip = 300, 0.2
widths = lesson.pick([4, 16, 64, 256], [4, 32, 128])
epochs = lesson.pick(60, 30)
seeds = list(range(lesson.pick(3, 2)))


def noisy_subset(seed: int):
    """300 training images, a fraction `flip` of their labels replaced by random classes."""
    rng = np.random.default_rng(100 + seed)
    idx = rng.choice(len(X_tr_all), n_small, replace=False)
    y = y_tr_all[idx].copy()
    hit = rng.random(n_small) < flip
    y[hit] = rng.integers(0, 10, hit.sum())
    return X_tr_all[idx], y, y_tr_all[idx]


def mlp(width: int, seed: int) -> nn.Sequential:
    md.manual_seed(seed)
    return nn.Sequential(nn.Linear(64, width), nn.ReLU(), nn.Linear(width, 10))


def fit(model, x, y, seed: int, weight_decay: float = 0.0, callbacks=None, n_epochs=None):
    """Adam(W) training; returns (trainer, history). Validation after the last epoch only, unless
    a callback (early stopping) needs it every epoch."""
    n = n_epochs or epochs
    opt = md.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=weight_decay)
    tr = Trainer(model, nn.CrossEntropyLoss(), opt, metrics=["accuracy"], generator=seed)
    h = tr.fit(
        x,
        y,
        epochs=n,
        batch_size=32,
        validation_data=(X_va, y_va),
        callbacks=callbacks,
        validation_freq=1 if callbacks else [n],
        verbose=0,
    )
    return tr, h.history


width_res = {w: [] for w in widths}
for w in widths:
    for s in lesson.progress(seeds, f"width {w}"):
        x, y_noisy, _ = noisy_subset(s)
        _, h = fit(mlp(w, s), x, y_noisy, s)
        width_res[w].append(
            {
                "train_acc_noisy": h["accuracy"][-1],
                "val_acc": h["val_accuracy"][-1],
            }
        )


def wcol(w, key):
    return np.array([r[key] for r in width_res[w]])


lesson.print_table(
    [
        [
            w,
            wcol(w, "train_acc_noisy").mean(),
            wcol(w, "val_acc").mean(),
            (wcol(w, "train_acc_noisy") - wcol(w, "val_acc")).mean(),
        ]
        for w in widths
    ],
    ["width", "train acc (noisy labels)", "val acc (clean)", "gap"],
    f"{n_small} digits, {flip:.0%} label noise, {epochs} epochs, {len(seeds)} seeds",
)
lesson.result(
    "width_sweep",
    {w: {"train": wcol(w, "train_acc_noisy"), "val": wcol(w, "val_acc")} for w in widths},
)
wide, narrow = widths[-1], widths[0]
clean_fraction = 1 - flip * 0.9  # labels that are right: unflipped, or flipped onto the true class
lesson.check(
    "wider fits the training labels better: the widest net fits more noisy labels than the narrowest, "
    "every seed",
    bool(np.all(wcol(wide, "train_acc_noisy") > wcol(narrow, "train_acc_noisy"))),
    wide=wcol(wide, "train_acc_noisy"),
    narrow=wcol(narrow, "train_acc_noisy"),
)
lesson.check(
    f"the widest net memorises wrong labels: training accuracy on noisy labels > {clean_fraction:.2f}"
    " (the fraction of right labels), every seed",
    bool(np.all(wcol(wide, "train_acc_noisy") > clean_fraction)),
    train=wcol(wide, "train_acc_noisy"),
)
peak = max(widths, key=lambda w: wcol(w, "val_acc").mean())
falls = wcol(wide, "val_acc").mean() < wcol(peak, "val_acc").mean() - 0.01
lesson.textbook(
    "004A §3.1(3) 隐藏层节点数调整",
    "增加隐藏层节点数可以提升模型的拟合能力，但可能导致过拟合",
    "more hidden units fit better but may overfit",
    f"train acc (noisy labels) {wcol(narrow, 'train_acc_noisy').mean():.3f} → "
    f"{wcol(wide, 'train_acc_noisy').mean():.3f} from width {narrow} to {wide}; val acc "
    f"{wcol(narrow, 'val_acc').mean():.3f} → {wcol(wide, 'val_acc').mean():.3f} (best width {peak})",
    agree=bool(np.all(wcol(wide, "train_acc_noisy") > wcol(narrow, "train_acc_noisy"))),
    explanation="the wider networks did not fit the training labels better",
)
lesson.result("width_val_falls_after_peak", bool(falls))

# %% [markdown]
# ## 3. The text's advice against overfitting, run · 运行教材避免过拟合的建议
#
# **问题 Question:** 教材列出的每条建议，在这个过拟合的网络上真的有用吗？ / Does each piece of the
# text's advice help this overfitting network?
#
# 004A §9.3 lists: regularisation (L1/L2), data augmentation, model structure (“使用简单、浅层模型或增加
# 隐藏层节点数”: a simple, shallow model *or more hidden units*), and early stopping; 003 §8.3 adds more
# training data. We start from the widest network above and change one thing at a time. (Augmentation
# is lesson 15.)

# %%
base_w = widths[-1]
variants = {}
for s in lesson.progress(seeds, "advice"):
    x, y_noisy, _ = noisy_subset(s)
    runs = {}
    runs["baseline (widest)"] = fit(mlp(base_w, s), x, y_noisy, s)[1]["val_accuracy"][-1]
    runs["L2 (AdamW weight_decay 0.5)"] = fit(mlp(base_w, s), x, y_noisy, s, weight_decay=0.5)[1][
        "val_accuracy"
    ][-1]
    stop = EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)
    tr_es, h_es = fit(mlp(base_w, s), x, y_noisy, s, callbacks=[stop])
    runs["early stopping (patience 5)"] = tr_es.evaluate(X_va, y_va, verbose=0)[1]
    runs["simpler (width 16)"] = fit(mlp(16, s), x, y_noisy, s)[1]["val_accuracy"][-1]
    runs[f"more hidden units (width {2 * base_w})"] = fit(mlp(2 * base_w, s), x, y_noisy, s)[1][
        "val_accuracy"
    ][-1]
    rng = np.random.default_rng(200 + s)
    idx = rng.choice(len(X_tr_all), 3 * n_small, replace=False)
    y3 = y_tr_all[idx].copy()
    hit = rng.random(len(idx)) < flip
    y3[hit] = rng.integers(0, 10, hit.sum())
    runs["3× the data (same noise)"] = fit(
        mlp(base_w, s), X_tr_all[idx], y3, s, n_epochs=max(1, epochs // 3)
    )[1]["val_accuracy"][-1]
    for k, v in runs.items():
        variants.setdefault(k, []).append(v)
variants = {k: np.array(v) for k, v in variants.items()}
base = variants["baseline (widest)"]
lesson.print_table(
    [[k, v.mean(), v.min(), v.max(), int(np.sum(v > base))] for k, v in variants.items()],
    ["change", "val acc (mean)", "min", "max", f"seeds better than baseline (of {len(seeds)})"],
    "One change at a time on the overfitting network",
)
lesson.result("advice_val_acc", variants)
more_units = variants[f"more hidden units (width {2 * base_w})"]
lesson.check(
    "more data beats the baseline in every seed",
    bool(np.all(variants["3× the data (same noise)"] > base)),
    more_data=variants["3× the data (same noise)"],
    baseline=base,
)
lesson.check(
    "early stopping (restoring the best weights) is at least as good as the baseline in every seed",
    bool(np.all(variants["early stopping (patience 5)"] >= base - 0.005)),
    early=variants["early stopping (patience 5)"],
    baseline=base,
)
lesson.textbook(
    "004A §9.3 如何避免模型过拟合？",
    "早期停止：在模型训练过程中，当验证集性能不再提升时停止训练",
    "early stopping avoids overfitting",
    f"val acc {variants['early stopping (patience 5)'].mean():.3f} with early stopping vs "
    f"{base.mean():.3f} at the end of training",
    agree=bool(variants["early stopping (patience 5)"].mean() > base.mean()),
    explanation="early stopping did not improve on training to the end here",
)
lesson.textbook(
    "004A §9.3 如何避免模型过拟合？",
    "正则化：使用L1正则化、L2正则化等技术减少过拟合",
    "L1/L2 regularisation reduces overfitting",
    f"val acc {variants['L2 (AdamW weight_decay 0.5)'].mean():.3f} with weight decay vs "
    f"{base.mean():.3f}",
    agree=bool(variants["L2 (AdamW weight_decay 0.5)"].mean() > base.mean()),
    explanation="weight decay did not help this network",
)
lesson.textbook(
    "004A §9.3 如何避免模型过拟合？",
    "模型结构优化：使用简单、浅层模型或增加隐藏层节点数",
    "use a simple, shallow model — or add hidden units — to avoid overfitting",
    f"val acc: width 16 {variants['simpler (width 16)'].mean():.3f}, baseline width {base_w} "
    f"{base.mean():.3f}, width {2 * base_w} {more_units.mean():.3f}",
    agree=bool(more_units.mean() > base.mean() + 0.01),
    explanation=(
        "more hidden units add capacity (section 2: wider nets memorise more wrong labels); the "
        "advice contradicts itself — “simpler” and “more units” pull in opposite directions"
    ),
)
lesson.textbook(
    "003 §8.3 为什么模型容易过拟合？",
    "增加训练数据",
    "more training data reduces overfitting",
    f"val acc {variants['3× the data (same noise)'].mean():.3f} with 3× the data vs {base.mean():.3f}",
    agree=bool(np.all(variants["3× the data (same noise)"] > base)),
    explanation="more data did not help",
)

# %% [markdown]
# ## 4. Figures · 图

# %%
fig, ax = plt.subplots(1, 3, figsize=(15, 4.2))
for key, style in [("n=20", "-"), ("n=200", "--")]:
    ax[0].semilogy(degrees, med[key][0], style, marker="o", ms=3, label=f"train, {key}")
    ax[0].semilogy(degrees, med[key][1], style, marker="s", ms=3, label=f"validation, {key}")
ax[0].axhline(noise**2, color="grey", ls=":", label="noise variance")
ax[0].set(title="polynomial fit: MSE by degree (median)", xlabel="degree", ylabel="MSE")
ax[0].legend(fontsize=7)
ax[1].semilogx(
    widths,
    [wcol(w, "train_acc_noisy").mean() for w in widths],
    "o-",
    base=2,
    label="train (noisy labels)",
)
ax[1].semilogx(
    widths, [wcol(w, "val_acc").mean() for w in widths], "s-", base=2, label="validation (clean)"
)
ax[1].axhline(clean_fraction, color="grey", ls=":", label="fraction of right labels")
ax[1].set(title="digits subset: accuracy by width", xlabel="hidden units", ylabel="accuracy")
ax[1].legend(fontsize=8)
names = list(variants)
ax[2].barh(
    names,
    [variants[k].mean() for k in names],
    xerr=[
        [variants[k].mean() - variants[k].min() for k in names],
        [variants[k].max() - variants[k].mean() for k in names],
    ],
)
ax[2].set(title="val accuracy per change (bar: min–max)", xlim=(0.5, 1))
fig.tight_layout()
lesson.savefig(fig, "capacity")

# %% [markdown]
# ## What the numbers say · 结论

# %%
lesson.conclude(
    f"多项式阶数 1：训练与验证误差都高（{tr20[1]:.3g}, {va20[1]:.3g}）——欠拟合；阶数 15、20 个点：训练 "
    f"{tr20[15]:.3g}、验证 {va20[15]:.3g}——过拟合；最佳阶数 {best_d}。比较训练与验证误差就能诊断（002 §9.2 对）。",
    f"Degree 1: train and val both high ({tr20[1]:.3g}, {va20[1]:.3g}) — underfitting; degree 15 on 20 "
    f"points: train {tr20[15]:.3g}, val {va20[15]:.3g} — overfitting; best degree {best_d}. The "
    "train/val gap diagnoses it (002 §9.2 is right).",
)
lesson.conclude(
    f"更多数据（200 点）让 15 阶的验证误差降到 {med['n=200'][1, 15]:.3g}；更宽的网络记住了错误标签（训练准确率 "
    f"{wcol(wide, 'train_acc_noisy').mean():.3f} > {clean_fraction:.2f}）。",
    f"More data (200 points) brings degree 15's val MSE to {med['n=200'][1, 15]:.3g}; wider networks "
    f"memorise wrong labels (train acc {wcol(wide, 'train_acc_noisy').mean():.3f} > {clean_fraction:.2f}).",
)
better = {k: int(np.sum(v > base)) for k, v in variants.items() if k != "baseline (widest)"}
lesson.conclude(
    "教材的建议逐条运行（比基线好的种子数）："
    + "，".join(f"{k} {v}/{len(seeds)}" for k, v in better.items())
    + "；“增加隐藏层节点数”与“使用简单模型”方向相反。",
    "The text's advice, one change at a time (seeds better than the baseline): "
    + ", ".join(f"{k} {v}/{len(seeds)}" for k, v in better.items())
    + "; “more hidden units” and “a simpler model” point in opposite directions.",
)

# %%
lesson.finish()
