# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Lesson 14 · Dropout and early stopping · Dropout 与提前停止
#
# **Textbook sections:** 002 §2.3 “正则化”, §9.3 “如何解决过拟合问题？”; 004A §9.3 “如何避免模型过拟合？”;
# 004B §3.1(4) “正则化技术”, §3.4(3) “调整策略”, §5.5 “性能调优” (2) 增加训练轮次, (5) 正则化, §9.3
# “如何避免模型过拟合？”
#
# **You will see:** what inverted dropout does in training and in evaluation mode; a small digits subset
# with noisy labels trained with and without dropout over seeds (how many wrong labels each network
# memorises); `EarlyStopping`'s chosen epoch, with and without `restore_best_weights`, against training
# to the end; and the text's dropout snippet — `Dropout(0.5)` added after the softmax layer — run as
# written, with what it does.
#
# **Time:** 10.1 s full, 4.1 s fast (after imports), measured on
# Intel(R) Xeon(R) Processor, 2 cores; `python -m lessons list` prints your last measured times.

# %%
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
from minidl.train import EarlyStopping, NonFiniteLossError, Trainer

lesson = Lesson("14_dropout_early_stopping", "Dropout and early stopping", "Dropout 与提前停止")

# %% [markdown]
# ## 1. Inverted dropout in training and evaluation · 训练与评估模式下的反向 dropout
#
# **问题 Question:** `Dropout(p)` 在训练和评估时各做什么？为什么要乘 1/(1−p)？ / What does `Dropout(p)`
# do in training and in evaluation, and why the factor 1/(1−p)?
#
# In training mode each element is zeroed with probability p and the survivors are multiplied by
# 1/(1−p), so the expected value of every unit is unchanged ("inverted" dropout: nothing to rescale
# at test time). In evaluation mode (`model.eval()`) the layer is the identity.

# %%
p_drop = 0.5
drop = nn.Dropout(p_drop)
md.manual_seed(0)
x = md.ones(100_000) * 3.0
drop.train()
y_train = drop(x).numpy()
drop.eval()
y_eval = drop(x).numpy()
zero_frac = float(np.mean(y_train == 0))
survivors = np.unique(y_train[y_train != 0])
sigma = float(np.sqrt(p_drop * (1 - p_drop) / len(y_train)))  # std of the zero fraction
lesson.result("dropout_zero_fraction", zero_frac)
lesson.result("dropout_train_mean", float(y_train.mean()))
print(
    f"train mode: {zero_frac:.4f} of the elements zeroed, survivors = {survivors} "
    f"(input 3 × 1/(1−p) = {3 / (1 - p_drop):g}), mean {y_train.mean():.4f}; "
    f"eval mode: identical to the input: {bool(np.array_equal(y_eval, x.numpy()))}"
)
lesson.check(
    "train mode zeroes a fraction p of the elements (within 4σ) and scales the rest by 1/(1−p)",
    abs(zero_frac - p_drop) < 4 * sigma
    and len(survivors) == 1
    and abs(survivors[0] - 3 / (1 - p_drop)) < 1e-6,
    zero_fraction=zero_frac,
)
lesson.check(
    "the expected value is kept: train-mode mean within 4σ of the input's",
    abs(float(y_train.mean()) - 3.0) < 4 * 3.0 * 2 * sigma,
    mean=float(y_train.mean()),
)
lesson.check("eval mode is the identity", bool(np.array_equal(y_eval, x.numpy())), p=p_drop)

# %% [markdown]
# ## 2. Dropout on a small, noisy task · 小规模含噪任务上的 dropout
#
# **问题 Question:** dropout 能否减少网络对个别训练样本（错误标签）的依赖？ / Does dropout make the
# network depend less on particular training samples — here, the wrongly labelled ones?
#
# 300 training digits, 20% of their labels replaced by random classes; 500 clean validation digits.
# An MLP 64 → 256 → 256 → 10 (ReLU), Adam lr 1e-3, batch 32, with and without `Dropout(0.5)` after
# each hidden layer, over seeds. "Memorised" = a training sample whose label was flipped and which the
# network (in eval mode) assigns to the wrong label it was given.

# %%
X_pool, y_pool, X_va, y_va = digits_split(1297, seed=0)
n_small, flip = 300, 0.2
epochs = lesson.pick(80, 50)
seeds = list(range(lesson.pick(4, 2)))


def noisy_subset(seed: int):
    rng = np.random.default_rng(100 + seed)
    idx = rng.choice(len(X_pool), n_small, replace=False)
    y_true = y_pool[idx]
    y = y_true.copy()
    hit = rng.random(n_small) < flip
    y[hit] = rng.integers(0, 10, hit.sum())
    return X_pool[idx], y, y_true


def mlp(seed: int, p: float) -> nn.Sequential:
    md.manual_seed(seed)
    layers = [nn.Linear(64, 256), nn.ReLU()]
    layers += [nn.Dropout(p)] if p else []
    layers += [nn.Linear(256, 256), nn.ReLU()]
    layers += [nn.Dropout(p)] if p else []
    return nn.Sequential(*layers, nn.Linear(256, 10))


def trainer(model, seed: int) -> Trainer:
    opt = md.optim.Adam(model.parameters(), lr=1e-3)
    return Trainer(model, nn.CrossEntropyLoss(), opt, metrics=["accuracy"], generator=seed)


def predict(model, X) -> np.ndarray:
    model.eval()
    with md.no_grad():
        out = model(md.tensor(X)).numpy().argmax(axis=1)
    model.train()
    return out


runs = {"no dropout": [], "dropout 0.5": []}
histories = {}  # (model, seed) -> History.history; section 3 reuses the no-dropout runs
for s in lesson.progress(seeds, "dropout"):
    x_tr, y_noisy, y_true = noisy_subset(s)
    wrong = y_noisy != y_true
    for name, p in [("no dropout", 0.0), ("dropout 0.5", 0.5)]:
        model = mlp(s, p)
        h = trainer(model, s).fit(
            x_tr, y_noisy, epochs=epochs, batch_size=32, validation_data=(X_va, y_va), verbose=0
        )
        pred = predict(model, x_tr)
        runs[name].append(
            {
                "val_acc": h.history["val_accuracy"][-1],
                "best_val_acc": max(h.history["val_accuracy"]),
                "memorised": float(np.mean(pred[wrong] == y_noisy[wrong])),
                "train_acc_eval": float(np.mean(pred == y_noisy)),
            }
        )
        histories[name, s] = h.history


def col(name, key):
    return np.array([r[key] for r in runs[name]])


lesson.print_table(
    [
        [
            k,
            col(k, "val_acc").mean(),
            col(k, "val_acc").min(),
            col(k, "memorised").mean(),
            col(k, "train_acc_eval").mean(),
        ]
        for k in runs
    ],
    ["model", "val acc (mean)", "val acc (min)", "flipped labels memorised", "train acc (noisy)"],
    f"{n_small} digits, {flip:.0%} label noise, {epochs} epochs, {len(seeds)} seeds",
)
lesson.result("dropout_runs", {k: {key: col(k, key) for key in runs[k][0]} for k in runs})
va_d, va_n = col("dropout 0.5", "val_acc"), col("no dropout", "val_acc")
mem_d, mem_n = col("dropout 0.5", "memorised"), col("no dropout", "memorised")
lesson.check(
    "dropout memorises fewer flipped labels than no dropout, every seed",
    bool(np.all(mem_d < mem_n)),
    dropout=mem_d,
    plain=mem_n,
)
lesson.check(
    "dropout's final val acc beats no dropout's, every seed",
    bool(np.all(va_d > va_n)),
    dropout=va_d,
    plain=va_n,
)
lesson.textbook(
    "004B §9.3 如何避免模型过拟合？",
    "dropout：在神经网络中引入dropout，可以在训练过程中随机丢弃一部分神经元，减少模型对特定训练样本的依赖",
    "dropout reduces the model's dependence on particular training samples",
    f"flipped labels memorised: {mem_n.mean():.2f} without, {mem_d.mean():.2f} with dropout 0.5 "
    f"(fewer in {int(np.sum(mem_d < mem_n))}/{len(seeds)} seeds)",
    agree=bool(np.all(mem_d < mem_n)),
    explanation="dropout did not reduce the memorised wrong labels",
)
lesson.textbook(
    "002 §2.3 正则化",
    "常见的正则化方法包括 L1 正则化、L2 正则化和 Dropout",
    "dropout is a regulariser",
    f"val acc {va_n.mean():.3f} → {va_d.mean():.3f} with dropout (higher in "
    f"{int(np.sum(va_d > va_n))}/{len(seeds)} seeds)",
    agree=bool(np.all(va_d > va_n)),
    explanation="dropout did not improve validation accuracy here",
)

# %% [markdown]
# ## 3. Early stopping · 提前停止
#
# **问题 Question:** `EarlyStopping` 在哪一轮停下？恢复最佳权重与否有什么不同？比训练到最后好吗？ / Where
# does `EarlyStopping` stop, what does `restore_best_weights` change, and is it better than training to
# the end?
#
# The network without dropout, on the same noisy subset, validated every epoch, with
# `EarlyStopping(monitor="val_loss", patience=5)` — once with `restore_best_weights=False` (Keras's
# default: the model keeps the weights of the epoch it stopped at), once with `True` — against the
# same run without a callback. Epochs below are 1-based (Keras's `stopped_epoch` and `best_epoch`
# are 0-based). 004B §5.5(2) says more epochs give the model more time to learn: the runs to the end
# show what the extra epochs do here.

# %%
patience = 5


def evaluate(model, X, y) -> tuple[float, float]:
    loss, acc = trainer(model, 0).evaluate(X, y, verbose=0)
    return float(loss), float(acc)


es_rows, curves_full, es_curve = [], None, None
for s in lesson.progress(seeds, "early stopping"):
    x_tr, y_noisy, _ = noisy_subset(s)
    row = {}
    for restore in (False, True):
        model = mlp(s, 0.0)
        stop = EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=restore)
        h = trainer(model, s).fit(
            x_tr,
            y_noisy,
            epochs=epochs,
            batch_size=32,
            validation_data=(X_va, y_va),
            callbacks=[stop],
            verbose=0,
        )
        vl = np.array(h.history["val_loss"])
        loss_now, acc_now = evaluate(model, X_va, y_va)
        row[restore] = {
            "stopped": stop.stopped_epoch + 1,
            "best": stop.best_epoch + 1,
            "ran": len(vl),
            "argmin": int(np.argmin(vl)) + 1,
            "min_val_loss": float(vl.min()),
            "last_val_loss": float(vl[-1]),
            "model_val_loss": loss_now,
            "model_val_acc": acc_now,
        }
    full = histories["no dropout", s]  # same seed, model and data: that run trained to the end
    if s == seeds[0]:
        curves_full = full
        es_curve = row
    row["end_val_acc"] = full["val_accuracy"][-1]
    row["end_val_loss"] = full["val_loss"][-1]
    row["at10_val_acc"] = full["val_accuracy"][min(9, epochs - 1)]
    es_rows.append(row)

lesson.print_table(
    [
        [
            s,
            r[False]["stopped"],
            r[False]["best"],
            r[False]["model_val_loss"],
            r[True]["model_val_loss"],
            r[False]["model_val_acc"],
            r[True]["model_val_acc"],
            r["end_val_acc"],
        ]
        for s, r in zip(seeds, es_rows, strict=True)
    ],
    [
        "seed",
        "stopped at",
        "best epoch",
        "val loss: kept",
        "val loss: restored",
        "val acc: kept",
        "val acc: restored",
        f"val acc after {epochs}",
    ],
    f"EarlyStopping(monitor='val_loss', patience={patience}); kept = restore_best_weights=False",
)
lesson.result("early_stopping", [{str(k): v for k, v in r.items()} for r in es_rows])
lesson.check(
    "training stops exactly `patience` epochs after the best epoch (the val-loss minimum), every seed",
    all(
        r[b]["stopped"] == r[b]["best"] + patience
        and r[b]["best"] == r[b]["argmin"]
        and r[b]["ran"] == r[b]["stopped"]
        for r in es_rows
        for b in (False, True)
    ),
    stopped=[r[False]["stopped"] for r in es_rows],
)
lesson.check(
    "restore_best_weights=True leaves the best epoch's weights: the model's val loss equals the "
    "minimum of the history; False leaves the last epoch's",
    all(
        abs(r[True]["model_val_loss"] - r[True]["min_val_loss"]) < 1e-5
        and abs(r[False]["model_val_loss"] - r[False]["last_val_loss"]) < 1e-5
        for r in es_rows
    ),
    restored=[r[True]["model_val_loss"] for r in es_rows],
    minimum=[r[True]["min_val_loss"] for r in es_rows],
)
kept_loss = np.array([r[False]["model_val_loss"] for r in es_rows])
rest_loss = np.array([r[True]["model_val_loss"] for r in es_rows])
rest_acc = np.array([r[True]["model_val_acc"] for r in es_rows])
end_acc = np.array([r["end_val_acc"] for r in es_rows])
end_loss = np.array([r["end_val_loss"] for r in es_rows])
at10 = np.array([r["at10_val_acc"] for r in es_rows])
stopped = np.array([r[False]["stopped"] for r in es_rows])
lesson.check(
    "restored weights have a lower val loss than kept ones, every seed",
    bool(np.all(rest_loss < kept_loss)),
    restored=rest_loss,
    kept=kept_loss,
)
lesson.textbook(
    "004B §3.4(3) 调整策略",
    "早期停止（Early Stopping）：在验证集上性能不再提升时停止训练，以避免过拟合",
    "stop when validation performance stops improving, to avoid overfitting",
    f"stopped at epoch {stopped.min()}–{stopped.max()} of {epochs}; val loss {rest_loss.mean():.3f} "
    f"(restored) vs {end_loss.mean():.3f} after all {epochs} epochs; val acc "
    f"{rest_acc.mean():.3f} vs {end_acc.mean():.3f}",
    agree=bool(np.all(rest_loss < end_loss)),
    explanation="the stopped model was not better on validation than the one trained to the end",
)
lesson.textbook(
    "004B §5.5(2) 增加训练轮次",
    "增加训练轮次可以让模型有更多时间学习数据",
    "more epochs give the model more time to learn",
    f"val acc after 10 epochs {at10.mean():.3f}, after {epochs} {end_acc.mean():.3f}; val loss "
    f"after {epochs} {end_loss.mean():.3f} vs its minimum {rest_loss.mean():.3f} at epoch "
    f"{min(r[True]['best'] for r in es_rows)}–{max(r[True]['best'] for r in es_rows)}",
    agree=bool(end_loss.mean() <= rest_loss.mean()),
    explanation=(
        "on noisy labels the extra epochs are spent memorising wrong labels: the validation loss "
        "rises after its minimum, which is why early stopping exists"
    ),
)

# %% [markdown]
# ## 4. The text's dropout snippet, run as written · 运行教材中的 dropout 代码
#
# **问题 Question:** 在 softmax 输出层之后 `model.add(Dropout(0.5))` 会发生什么？ / What happens when
# `Dropout(0.5)` is added after the softmax output layer?
#
# 004B §5.5(5) appends `tf.keras.layers.Dropout(0.5)` to the model of §5.3 (Flatten, Dense(128, relu),
# Dense(64, relu), Dense(3, softmax)) and compiles with `categorical_crossentropy`. Keras's loss (as
# `minidl.train.CategoricalCrossentropy` implements it) first divides the outputs by their sum, then
# clips to [1e-7, 1 − 1e-7]. After dropout, some of the 3 probabilities are 0; with probability
# 0.5³ all three are, and 0/0 is NaN. We run it on Iris (the text's data; z-scored inputs, one-hot
# labels), and compare with dropout where it belongs — after a hidden layer.

# %%
from sklearn.datasets import load_iris  # noqa: E402

from minidl.train import CategoricalCrossentropy  # noqa: E402

Xi, yi = load_iris(return_X_y=True)
perm = np.random.default_rng(0).permutation(len(yi))
Xi = ((Xi - Xi.mean(0)) / Xi.std(0)).astype(np.float32)[perm]
yi = yi[perm]
onehot = np.eye(3, dtype=np.float32)[yi]


def iris_model(seed: int, where: str) -> nn.Sequential:
    md.manual_seed(seed)
    hidden = [nn.Linear(4, 128), nn.ReLU()]
    hidden += [nn.Dropout(0.5)] if where == "hidden" else []
    body = hidden + [nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 3), nn.Softmax(dim=1)]
    return nn.Sequential(*body, *([nn.Dropout(0.5)] if where == "after softmax" else []))


snippet_runs = {}
for where in ("after softmax", "hidden", "none"):
    outcomes = []
    for s in seeds:
        model = iris_model(s, where)
        tr = Trainer(
            model,
            CategoricalCrossentropy(),
            md.optim.Adam(model.parameters(), 1e-3),
            metrics=["accuracy"],
            generator=s,
        )
        try:
            h = tr.fit(
                Xi[:120],
                onehot[:120],
                epochs=lesson.pick(50, 20),
                batch_size=32,
                validation_data=(Xi[120:], onehot[120:]),
                verbose=0,
            )
            outcomes.append(("finished", h.history["val_accuracy"][-1]))
        except NonFiniteLossError as err:
            outcomes.append(("NaN loss", str(err).split(" (0-based")[0].removeprefix("fit: ")))
    snippet_runs[where] = outcomes
for where, outs in snippet_runs.items():
    print(f"Dropout {where}: " + "; ".join(f"{o[0]} ({o[1]})" for o in outs))
lesson.result("snippet_runs", {k: [list(o) for o in v] for k, v in snippet_runs.items()})
# How often a training row has all 3 probabilities dropped: measured on the layer, and the formula.
md.manual_seed(1)
d = nn.Dropout(0.5)
d.train()
rows = d(md.ones(200_000, 3)).numpy()
all_zero = float(np.mean(rows.sum(axis=1) == 0))
per_batch = 1 - (1 - 0.5**3) ** 32
lesson.result("rows_all_dropped", all_zero)
# In evaluation mode the trailing Dropout is the identity: the outputs are the softmax's, rows sum to 1.
m_after = iris_model(0, "after softmax")
m_after.eval()
with md.no_grad():
    out_eval = m_after(md.tensor(Xi)).numpy()
    out_body = m_after[:-1](md.tensor(Xi)).numpy()  # the same network without its last layer
eval_same = bool(np.array_equal(out_eval, out_body)) and bool(
    np.allclose(out_eval.sum(axis=1), 1, atol=1e-5)
)
lesson.check(
    "in eval mode the Dropout after softmax changes nothing (rows still sum to 1)", eval_same
)
after = snippet_runs["after softmax"]
lesson.check(
    "dropout after softmax: every seed's training stops on a NaN loss (a row whose probabilities "
    "were all dropped), and 1/8 of rows are all-zero (within 0.005)",
    all(o[0] == "NaN loss" for o in after) and abs(all_zero - 0.125) < 0.005,
    all_zero=all_zero,
)
lesson.check(
    "dropout after a hidden layer trains (no NaN) in every seed",
    all(o[0] == "finished" for o in snippet_runs["hidden"]),
)
lesson.textbook(
    "004B §5.5(5) 正则化",
    "正则化：添加正则化项以减少过拟合。model.add(tf.keras.layers.Dropout(0.5))",
    "add Dropout(0.5) (to the end of the model) to reduce overfitting",
    f"after the softmax: {sum(o[0] == 'NaN loss' for o in after)}/{len(after)} runs stop on a NaN "
    f"loss ({all_zero:.3f} of rows have all 3 outputs dropped; a batch of 32 holds one with "
    f"probability {per_batch:.3f}); after a hidden layer: val acc "
    f"{np.mean([o[1] for o in snippet_runs['hidden']]):.3f}, none: "
    f"{np.mean([o[1] for o in snippet_runs['none']]):.3f}",
    agree=False,
    explanation=(
        "model.add puts the Dropout after the softmax output: in training it zeroes whole class "
        "probabilities (rows that no longer sum to 1, and all-zero rows whose renormalisation is "
        "0/0 = NaN, with Keras's loss formula as minidl.train implements it), and in evaluation it "
        "does nothing — it does not regularise any hidden "
        "feature. Dropout belongs between hidden layers, before the output layer"
    ),
)

# %% [markdown]
# ## 5. Figures · 图

# %%
fig, ax = plt.subplots(1, 3, figsize=(15, 4.2))
for name in runs:
    h = histories[name, seeds[0]]
    ax[0].plot(range(1, epochs + 1), h["val_accuracy"], label=f"val, {name}")
    ax[0].plot(range(1, epochs + 1), h["accuracy"], ":", label=f"train (noisy), {name}")
ax[0].set(title="noisy digits subset: dropout (seed 0)", xlabel="epoch", ylabel="accuracy")
ax[0].legend(fontsize=7)
ax[1].plot(range(1, epochs + 1), curves_full["val_loss"], label="val loss, no callback")
for restore, style in [(False, "o"), (True, "s")]:
    r = es_curve[restore]
    ax[1].axvline(r["stopped"], ls="--", color="grey")
    ax[1].plot(
        [r["stopped"] if not restore else r["best"]],
        [r["model_val_loss"]],
        style,
        ms=8,
        label=f"model after fit, restore_best_weights={restore}",
    )
ax[1].set(title=f"EarlyStopping(patience={patience}) (seed 0)", xlabel="epoch", ylabel="val loss")
ax[1].legend(fontsize=7)
names = list(runs)
ax[2].bar(names, [col(k, "memorised").mean() for k in names], color=["tab:red", "tab:green"])
ax[2].set(title="flipped training labels the net reproduces", ylabel="fraction")
fig.tight_layout()
lesson.savefig(fig, "dropout_early_stopping")

# %% [markdown]
# ## What the numbers say · 结论

# %%
lesson.conclude(
    f"反向 dropout：训练时约 {zero_frac:.3f} 的元素置零、其余乘 {1 / (1 - p_drop):g}，均值不变；评估时是恒等映射。",
    f"Inverted dropout: in training {zero_frac:.3f} of the elements are zeroed and the rest scaled by "
    f"{1 / (1 - p_drop):g}, keeping the mean; in evaluation it is the identity.",
)
lesson.conclude(
    f"含噪小数据上，dropout 让网络记住的错误标签从 {mem_n.mean():.2f} 降到 {mem_d.mean():.2f}，验证准确率从 "
    f"{va_n.mean():.3f} 升到 {va_d.mean():.3f}（每个种子都如此）。",
    f"On the small noisy subset dropout cuts the memorised wrong labels from {mem_n.mean():.2f} to "
    f"{mem_d.mean():.2f} and raises val acc from {va_n.mean():.3f} to {va_d.mean():.3f} (every seed).",
)
lesson.conclude(
    f"EarlyStopping 在最佳轮次之后 {patience} 轮停下（第 {stopped.min()}–{stopped.max()} 轮）；不恢复时模型是"
    f"最后一轮的权重（验证损失 {kept_loss.mean():.3f}），恢复后是最佳轮次的（{rest_loss.mean():.3f}）。",
    f"EarlyStopping stops {patience} epochs after the best one (epochs {stopped.min()}–"
    f"{stopped.max()}); without restoring, the model keeps the last epoch's weights (val loss "
    f"{kept_loss.mean():.3f}), with restore_best_weights the best epoch's ({rest_loss.mean():.3f}).",
)
lesson.conclude(
    "教材 004B §5.5(5) 把 Dropout(0.5) 加在 softmax 之后：训练时整行概率可能被全部丢弃，损失变成 NaN，"
    "评估时它什么也不做。dropout 应放在隐藏层之间。",
    "004B §5.5(5) adds Dropout(0.5) after the softmax: in training whole probability rows can be "
    "dropped and the loss becomes NaN; in evaluation it does nothing. Dropout goes between hidden "
    "layers.",
)

# %%
lesson.finish()
