# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Lesson 3 · Losses · 损失函数
#
# **Textbook sections:** 003 §3.1 “损失函数选择”, §4.1 “使用PyTorch实现损失函数选择”; 004A §4.1
# “损失函数” (均方误差, 交叉熵损失); 004B §4.1 “损失函数” and its two examples (使用均方误差进行回归任务,
# 使用交叉熵损失进行分类任务); 004A §5.4 “运行结果展示” (the printed probability rows)
#
# **You will see:** the text's MSE and cross-entropy examples computed, with the log base and the
# reduction (sum or mean) stated; softmax rows and the printed "probability distributions" of 004A §5.4
# checked; cross-entropy from logits and its gradient softmax − one-hot; binary cross-entropy and its
# logits form; the text's PyTorch training snippet run in minidl; and a classifier on breast_cancer
# trained with MSE-on-sigmoid and with cross-entropy over several seeds, from a gentle and from a
# saturated start.
#
# **Time:** 1.7 s full, 1.3 s fast (after imports), measured on
# Intel(R) Xeon(R) Processor, 2 cores; `python -m lessons list` prints your last measured times.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer

try:
    from _course import Lesson  # run as a script, or as a notebook opened in lessons/
except ModuleNotFoundError:  # a notebook opened anywhere else (minidl installed: pip install -e .)
    from lessons._course import Lesson

import minidl as md
import minidl.nn.functional as F
from minidl import nn
from minidl.testing import gradcheck

lesson = Lesson("03_losses", "Losses", "损失函数")

# %% [markdown]
# ## 1. Mean squared error (004A/B §4.1) · 均方误差
#
# **问题 Question:** 教材的 MSE 公式和例子对吗？ / Are the text's MSE formula and example right?
#
# MSE = (1/n) Σ (y_i − ŷ_i)²: a mean over the samples. `F.mse_loss(input, target)` computes exactly
# that (reduction="mean" by default; "sum" drops the 1/n). The text's example: 10 samples, every
# prediction off by 0.1 (ŷ_i = y_i + 0.1).

# %%
g = np.random.default_rng(0)
y10 = md.tensor(g.normal(size=10))  # any labels: the example does not depend on them
yhat10 = y10 + 0.1
mse_mean = F.mse_loss(yhat10, y10).item()
mse_sum = F.mse_loss(yhat10, y10, reduction="sum").item()
by_formula = float(np.mean((y10.numpy() - yhat10.numpy()) ** 2))
lesson.print_table(
    [["F.mse_loss (mean)", mse_mean], ["F.mse_loss (sum)", mse_sum], ["(1/n)Σ(y−ŷ)²", by_formula]],
    ["computation", "value"],
    "The text's MSE example",
)
lesson.result("mse_example_mean", mse_mean)
lesson.textbook(
    "004B §4.1 例子：使用均方误差（MSE）进行回归任务",
    "如果模型预测的值为 ŷ_i = y_i + 0.1，则 … MSE = (1/10) Σ (0.01) = 0.01",
    "if every prediction is 0.1 too high, MSE = 0.01",
    mse_mean,
    claimed=0.01,
    tol=1e-12,
)
lesson.check(
    "F.mse_loss (reduction='mean') is the MSE formula (1/n) Σ (y_i − ŷ_i)² of 004A/B §4.1",
    abs(mse_mean - by_formula) < 1e-12,
    f_mse_loss=mse_mean,
    formula=by_formula,
)

# %% [markdown]
# ## 2. Softmax and cross-entropy (004A/B §4.1) · Softmax 与交叉熵
#
# **问题 Question:** 交叉熵用哪个对数？求和还是平均？ / Which log, and a sum or a mean?
#
# The text writes CE = −Σ y_i log(ŷ_i), with y one-hot and ŷ a predicted probability distribution.
# A network produces *logits* z; softmax turns a row of logits into probabilities,
# softmax(z)_k = e^{z_k} / Σ_j e^{z_j}. Every row is positive and sums to 1, and adding a constant to a
# row changes nothing — which is what lets a stable implementation subtract the row maximum first.

# %%
logits = md.tensor(g.normal(0, 2, size=(6, 10)))  # 6 samples, 10 classes (like Dense(10, softmax))
probs = F.softmax(logits, dim=1).numpy()
shifted = F.softmax(logits + 1000.0, dim=1).numpy()
with np.errstate(invalid="ignore", over="ignore"):
    naive = np.exp(logits.numpy() + 1000.0)  # e^1000 overflows to inf
    naive = naive / naive.sum(axis=1, keepdims=True)  # inf / inf = nan
row_sums = probs.sum(axis=1)
lesson.print_table(
    [[i, np.round(probs[i], 3).tolist(), row_sums[i]] for i in range(3)],
    ["row", "softmax(z) (first 3 of 6 rows)", "sum"],
    "Softmax rows",
)
lesson.check(
    "softmax rows are positive and sum to 1",
    bool((probs > 0).all() and np.allclose(row_sums, 1.0, atol=1e-12)),
    max_deviation=float(np.max(np.abs(row_sums - 1))),
)
lesson.check(
    "softmax(z + 1000) = softmax(z) without overflow, where the naive formula gives nan",
    bool(np.allclose(shifted, probs, atol=1e-12) and np.isnan(naive).any()),
    max_diff=float(np.max(np.abs(shifted - probs))),
)

# %% [markdown]
# 004A §5.4 prints what its model (`Dense(10, activation='softmax')`) output for the first test
# samples. A softmax row has 10 entries that sum to 1. Do the printed rows? (The accuracy it prints,
# 0.8765, cannot be checked: its `data.csv` is not given.)

# %%
printed_rows = [
    [0.1, 0.2, 0.3, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1],
    [0.2, 0.1, 0.3, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1],
]
for k, row in enumerate(printed_rows):
    lesson.textbook(
        "004A §5.4 运行结果展示",
        "测试集输出概率分布：[" + ", ".join(str(v) for v in row) + "]",
        f"row {k + 1} of the model's output probabilities (softmax over 10 classes)",
        f"{len(row)} entries summing to {sum(row):.2f}; a softmax row of Dense(10) has 10 summing to 1",
        tol=1e-9,
        agree=len(row) == probs.shape[1] and abs(sum(row) - 1.0) < 1e-9,
        explanation=(
            f"a softmax output cannot sum to {sum(row):.2g}, and Dense({probs.shape[1]}) gives "
            f"{probs.shape[1]} numbers, not {len(row)}"
        ),
    )

# %% [markdown]
# Cross-entropy from logits: `F.cross_entropy(logits, target)` takes integer class targets and
# logits (not probabilities), applies log-softmax inside (stably), uses the **natural log**, and by
# default takes the **mean** over the batch. The text's formula is a **sum**. We compute both, and the
# text's formula directly with one-hot labels.

# %%
target = g.integers(0, 10, size=6)
onehot = np.eye(10)[target]
ce_text = float(-np.sum(onehot * np.log(probs)))  # −Σ y log ŷ over all samples and classes
ce_sum = F.cross_entropy(logits, target, reduction="sum").item()
ce_mean = F.cross_entropy(logits, target).item()
logsm = F.log_softmax(logits, dim=1).numpy()
lesson.print_table(
    [
        ["−Σ y·ln(softmax(z)) (the text's formula)", ce_text],
        ["F.cross_entropy(..., reduction='sum')", ce_sum],
        ["F.cross_entropy(...) (mean, the default)", ce_mean],
        ["sum / batch size", ce_sum / len(target)],
    ],
    ["computation", "value"],
    "Cross-entropy of 6 samples, 10 classes",
)
lesson.textbook(
    "004A §4.1 / 004B §4.1 交叉熵损失",
    "CE = −Σ_{i=1}^{n} y_i log(ŷ_i)",
    "the cross-entropy formula (a sum; natural log), equal to F.cross_entropy(reduction='sum')",
    ce_sum,
    claimed=ce_text,
    tol=1e-10,
)
lesson.check(
    "log_softmax = log(softmax) and mean CE = summed CE / batch size",
    bool(np.allclose(logsm, np.log(probs), atol=1e-12) and abs(ce_mean - ce_sum / 6) < 1e-12),
    mean=ce_mean,
    sum=ce_sum,
)

# %% [markdown]
# Its gradient with respect to the logits is the reason cross-entropy and softmax are paired:
# ∂CE_mean/∂z = (softmax(z) − onehot(y)) / N — the prediction error itself, never squashed.
# We compare autograd with that formula, and gradcheck the whole loss in float64.

# %%
z = md.tensor(logits.numpy(), requires_grad=True)
F.cross_entropy(z, target).backward()
grad_formula = (probs - onehot) / len(target)
grad_err = float(np.max(np.abs(z.grad - grad_formula)))
ok_gc = gradcheck(lambda t: F.cross_entropy(t, target), (z,), raise_exception=False)
lesson.check(
    "autograd's ∂CE/∂z equals (softmax − onehot)/N, and gradcheck passes",
    grad_err < 1e-12 and ok_gc,
    max_abs_error=grad_err,
    gradcheck=ok_gc,
)

# %% [markdown]
# ## 3. Binary cross-entropy and the text's classification example (004B §4.1) · 二元交叉熵
#
# **问题 Question:** “−10 log(1/2) ≈ 3.32” 对吗？ / Is “−10 log(1/2) ≈ 3.32” right?
#
# For two classes with p = P(class 1): BCE = −[y ln p + (1 − y) ln(1 − p)]. The text's example has 10
# samples, each predicted p = 1/2, each truly positive (y = 1), and writes
# CE = −Σ 1·log(1/2) = −10 log(1/2) ≈ 3.32. The text does not say which log. We compute every candidate.

# %%
p_half = md.tensor(np.full(10, 0.5))
ones10 = md.tensor(np.ones(10))
bce_mean = F.binary_cross_entropy(p_half, ones10).item()
bce_sum = F.binary_cross_entropy(p_half, ones10, reduction="sum").item()
candidates = {
    "−10·ln(1/2) (natural log, sum)": -10 * math.log(0.5),
    "−10·log₂(1/2) (bits, sum)": -10 * math.log2(0.5),
    "−10·log₁₀(1/2) (sum)": -10 * math.log10(0.5),
    "mean, natural log": -math.log(0.5),
    "F.binary_cross_entropy, reduction='sum'": bce_sum,
    "F.binary_cross_entropy (mean)": bce_mean,
}
lesson.print_table([[k, v] for k, v in candidates.items()], ["reading", "value"], "−10 log(1/2)")
lesson.result("ce_example_candidates", candidates)
closest = min(candidates.values(), key=lambda v: abs(v - 3.32))
lesson.textbook(
    "004B §4.1 例子：使用交叉熵损失（Cross-Entropy Loss）进行分类任务",
    "CE = −Σ_{i=1}^{10} 1·log(1/2) = −10 log(1/2) ≈ 3.32",
    "ten positive samples predicted at 1/2 give a cross-entropy of about 3.32",
    bce_sum,
    claimed=3.32,
    tol=0.005,
    explanation=(
        f"ln gives {-10 * math.log(0.5):.3f} (minidl, PyTorch and Keras use ln), log₂ gives "
        f"{-10 * math.log2(0.5):.1f}, log₁₀ gives {-10 * math.log10(0.5):.3f}; no base gives 3.32 "
        f"(3.32 is log₂10 = {math.log2(10):.3f}, not −10·log(1/2) in any base)"
    ),
)
lesson.check(
    "F.binary_cross_entropy at p = 1/2, y = 1 is ln 2 per sample",
    abs(bce_mean - math.log(2)) < 1e-12 and abs(bce_sum - 10 * math.log(2)) < 1e-12,
    mean=bce_mean,
    sum=bce_sum,
    closest_candidate_to_3_32=closest,
)

# %% [markdown]
# On logits, `F.binary_cross_entropy_with_logits(z, y)` computes the same loss as
# `F.binary_cross_entropy(sigmoid(z), y)` but stays finite where sigmoid rounds to exactly 0 or 1. It
# is also softmax cross-entropy with two classes whose logits are (0, z).

# %%
zb = md.tensor(np.array([-100.0, -5.0, -0.3, 0.0, 0.7, 4.0, 100.0]))
yb = md.tensor(np.array([1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0]))
with_logits = F.binary_cross_entropy_with_logits(zb, yb, reduction="none").numpy()
# the stable formula in NumPy: ln(1 + e^z) − y z
reference = np.logaddexp(0.0, zb.numpy()) - yb.numpy() * zb.numpy()
two_class = F.cross_entropy(
    md.tensor(np.stack([np.zeros(7), zb.numpy()], axis=1)),
    yb.numpy().astype(np.int64),
    reduction="none",
).numpy()
lesson.print_table(
    [[zi, yi, wl] for zi, yi, wl in zip(zb.numpy(), yb.numpy(), with_logits, strict=True)],
    ["logit z", "y", "BCE with logits"],
    "Binary cross-entropy from logits (note z = ±100)",
)
lesson.check(
    "BCE-with-logits is finite, equals ln(1+e^z) − yz, and equals 2-class softmax CE",
    bool(
        np.isfinite(with_logits).all()
        and np.allclose(with_logits, reference, rtol=1e-12, atol=1e-12)
        and np.allclose(two_class, reference, rtol=1e-12, atol=1e-12)
    ),
    max_diff=float(np.max(np.abs(with_logits - reference))),
)

# %% [markdown]
# ## 4. The text's PyTorch snippet (003 §4.1), run in minidl · 教材的 PyTorch 代码
#
# **问题 Question:** 这段训练循环能训练模型吗？ / Does this loop train the model?
#
# 003 §4.1 trains `nn.Linear(10, 1)` with `nn.MSELoss()` and `SGD(lr=0.01)` for 100 epochs, but never
# defines `inputs` and `targets`. We supply 64 samples of a noisy linear function of 10 inputs and run
# the loop as written (minidl uses the same names).

# %%
md.manual_seed(0)
inputs = md.randn(64, 10, generator=1)
targets = inputs @ md.randn(10, 1, generator=2) + 0.1 * md.randn(64, 1, generator=3)
model = nn.Linear(10, 1)
criterion = nn.MSELoss()
optimizer = md.optim.SGD(model.parameters(), lr=0.01)
losses = []
for epoch in range(100):  # noqa: B007  (the text's loop, as written)
    optimizer.zero_grad()
    output = model(inputs)
    loss = criterion(output, targets)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
lesson.result("snippet_003_loss_first_last", [losses[0], losses[-1]])
lesson.textbook(
    "003 §4.1 使用PyTorch实现损失函数选择",
    "# 训练模型  for epoch in range(100): optimizer.zero_grad() … loss.backward(); optimizer.step()",
    "this loop trains the linear model on the MSE (inputs/targets supplied by us)",
    f"MSE {losses[0]:.3f} → {losses[-1]:.3f} over 100 epochs (falls at every step: "
    f"{bool(np.all(np.diff(losses) < 0))})",
    agree=bool(losses[-1] < 0.5 * losses[0] and np.all(np.diff(losses) < 0)),
    explanation="the loss did not fall",
)

# %% [markdown]
# ## 5. Which loss for a classifier? MSE-on-sigmoid vs cross-entropy (003 §3.1) · 分类用哪个损失
#
# **问题 Question:** 分类器该用 sigmoid 上的 MSE 还是交叉熵？ / MSE on a sigmoid, or cross-entropy?
#
# 003 §3.1 says to choose the loss "根据问题的具体需求" (by the needs of the problem). For a binary
# classifier the two candidates are the MSE between sigmoid(z) and y, and cross-entropy. Their gradients
# with respect to the logit z differ by one factor:
#
#     MSE:  ∂/∂z (σ(z) − y)² = 2 (σ − y) · σ(1 − σ)
#     BCE:  ∂/∂z BCE(σ(z), y) = σ − y
#
# When the model is confidently wrong (σ ≈ 0 but y = 1), σ(1 − σ) ≈ 0 and MSE's gradient vanishes: the
# samples that most need correcting barely move the weights. Cross-entropy's gradient is then ≈ −1.
#
# The experiment: a linear classifier (logistic regression, `nn.Linear(30, 1)`) on breast_cancer,
# features standardized on the training split, SGD with batches of 32, the same learning rate for both
# losses, several seeds. Two starting points: a gentle one (weights ~ N(0, 0.01²)) and a saturated one
# (weights ~ N(0, 3²), so most logits are large and many samples start confidently wrong).

# %%
X_all, y_all = load_breast_cancer(return_X_y=True)


def train_classifier(seed: int, loss_name: str, init_std: float, epochs: int, lr: float = 0.1):
    """Validation accuracy after each epoch, and the fraction of stalled wrong samples at the start."""
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(X_all))
    tr, va = idx[:400], idx[400:]
    mu, sd = X_all[tr].mean(0), X_all[tr].std(0)  # statistics from the training split only
    Xtr, Xva = (X_all[tr] - mu) / sd, (X_all[va] - mu) / sd
    ytr, yva = y_all[tr].astype(np.float64), y_all[va]
    model = nn.Linear(30, 1).double()
    with md.no_grad():
        model.weight.copy_(md.tensor(rng.normal(0.0, init_std, size=(1, 30))))
        model.bias.zero_()
    opt = md.optim.SGD(model.parameters(), lr=lr)
    z0 = Xtr @ model.weight.data.T + model.bias.data
    s0 = 1 / (1 + np.exp(-z0.ravel()))
    wrong = (s0 > 0.5) != (ytr > 0.5)
    dz_mse = np.abs(2 * (s0 - ytr) * s0 * (1 - s0))
    stalled = float(np.mean(wrong & (dz_mse < 0.01)))  # wrong, yet |∂L/∂z| < 0.01 under MSE
    accs = []
    for _ in range(epochs):
        order = rng.permutation(len(Xtr))
        for i in range(0, len(order), 32):
            b = order[i : i + 32]
            zb_ = model(md.tensor(Xtr[b])).reshape(-1)
            yb_ = md.tensor(ytr[b])
            if loss_name == "MSE on sigmoid":
                loss = F.mse_loss(md.sigmoid(zb_), yb_)
            else:
                loss = F.binary_cross_entropy_with_logits(zb_, yb_)
            opt.zero_grad()
            loss.backward()
            opt.step()
        with md.no_grad():
            pred = model(md.tensor(Xva)).numpy().ravel() > 0
        accs.append(float(np.mean(pred == (yva > 0.5))))
    return np.array(accs), stalled


seeds = list(range(lesson.pick(5, 3)))
epochs = lesson.pick(20, 5)
loss_names = ["cross-entropy", "MSE on sigmoid"]
inits = {"gentle (std 0.01)": 0.01, "saturated (std 3)": 3.0}
acc, stalled = {}, {}
for init_name, std in inits.items():
    for loss_name in loss_names:
        runs = [
            train_classifier(s, loss_name, std, epochs)
            for s in lesson.progress(seeds, f"{loss_name}, {init_name}")
        ]
        acc[(init_name, loss_name)] = np.array([r[0] for r in runs])  # (seeds, epochs)
        stalled[init_name] = float(np.mean([r[1] for r in runs]))
early = min(4, epochs - 1)  # epoch 5 (index 4), or the last one in fast mode
rows = []
for (init_name, loss_name), a in acc.items():
    rows.append(
        [init_name, loss_name, a[:, 0].mean(), a[:, early].mean(), a[:, -1].mean(), a[:, -1].min()]
    )
lesson.print_table(
    rows,
    [
        "start",
        "loss",
        "val acc ep 1",
        f"ep {early + 1}",
        f"ep {epochs} (mean)",
        f"ep {epochs} (worst)",
    ],
    f"breast_cancer, linear classifier, SGD lr=0.1, {len(seeds)} seeds",
)
lesson.result(
    "breast_cancer_val_acc",
    {f"{i} / {loss}": a.mean(axis=0) for (i, loss), a in acc.items()},
)
lesson.result("fraction_wrong_and_stalled_under_mse_at_init", stalled)

sat_ce = acc[("saturated (std 3)", "cross-entropy")][:, early]
sat_mse = acc[("saturated (std 3)", "MSE on sigmoid")][:, early]
gen_ce = acc[("gentle (std 0.01)", "cross-entropy")][:, -1]
gen_mse = acc[("gentle (std 0.01)", "MSE on sigmoid")][:, -1]
lesson.check(
    f"from a saturated start, cross-entropy is ahead of MSE-on-sigmoid at epoch {early + 1} "
    "in every seed",
    bool(np.all(sat_ce > sat_mse)),
    ce=sat_ce,
    mse=sat_mse,
    mean_gap=float(np.mean(sat_ce - sat_mse)),
)
lesson.check(
    "from a gentle start, both losses end within 3 points of each other (mean over seeds) and above 90%",
    bool(abs(gen_ce.mean() - gen_mse.mean()) < 0.03 and min(gen_ce.min(), gen_mse.min()) > 0.9),
    ce=gen_ce.mean(),
    mse=gen_mse.mean(),
)
lesson.check(
    "saturated start: over 10% of training samples are wrong yet have |∂MSE/∂z| < 0.01 (gentle: none)",
    stalled["saturated (std 3)"] > 0.1 and stalled["gentle (std 0.01)"] == 0.0,
    saturated=stalled["saturated (std 3)"],
    gentle=stalled["gentle (std 0.01)"],
)

# %% [markdown]
# ## 6. Figures · 图
#
# **问题 Question:** 图上能看到什么？ / What do the pictures show?

# %%
fig, ax = plt.subplots(1, 3, figsize=(15, 4.2))
zz = md.tensor(np.linspace(-8, 8, 401), requires_grad=True)
ones = md.tensor(np.ones(401))
grads = {}
for name in loss_names:
    zz.grad = None
    if name == "MSE on sigmoid":
        per = (md.sigmoid(zz) - ones) ** 2
    else:
        per = F.binary_cross_entropy_with_logits(zz, ones, reduction="none")
    per.sum().backward()
    grads[name] = zz.grad.data.copy()
    ax[0].plot(zz.data, per.detach().numpy(), label=name)
ax[0].set(title="Loss for a positive sample (y = 1)", xlabel="logit z", ylabel="loss", ylim=(0, 4))
ax[0].legend()
for name in loss_names:
    ax[1].plot(zz.data, np.abs(grads[name]), label=name)
ax[1].set(title="|∂loss/∂z| (autograd), y = 1", xlabel="logit z", ylabel="|gradient|")
ax[1].axvspan(-8, -3, color="grey", alpha=0.15, label="confidently wrong")
ax[1].legend()
for (init_name, loss_name), a in acc.items():
    style = "-" if loss_name == "cross-entropy" else "--"
    ax[2].plot(
        np.arange(1, epochs + 1),
        a.mean(axis=0),
        style,
        marker="o",
        ms=3,
        label=f"{loss_name}, {init_name}",
    )
ax[2].set(
    title="breast_cancer validation accuracy (mean over seeds)", xlabel="epoch", ylabel="accuracy"
)
ax[2].legend(fontsize=8)
fig.tight_layout()
lesson.savefig(fig, "losses")

# %% [markdown]
# ## What the numbers say · 结论

# %%
lesson.conclude(
    f"MSE 公式和例子（{mse_mean:.4g}）都对，F.mse_loss 就是这个公式。",
    f"The MSE formula and its example ({mse_mean:.4g}) are right; F.mse_loss is that formula.",
)
lesson.conclude(
    f"交叉熵公式是求和；框架默认对批取平均、用自然对数。教材的二元例子错了：ln 得 {-10 * math.log(0.5):.4g}，"
    f"log₂ 得 {-10 * math.log2(0.5):.4g}，log₁₀ 得 {-10 * math.log10(0.5):.4g}，都不是 3.32。",
    f"The CE formula is a sum; frameworks take the mean over the batch and use ln. The text's binary "
    f"example is wrong: ln gives {-10 * math.log(0.5):.4g}, log₂ {-10 * math.log2(0.5):.4g}, "
    f"log₁₀ {-10 * math.log10(0.5):.4g} — none is 3.32.",
)
lesson.conclude(
    f"004A §5.4 打印的“概率分布”不可能来自 softmax：每行 {len(printed_rows[0])} 个数、和为 "
    f"{sum(printed_rows[0]):.2g}，而 Dense({probs.shape[1]}) 给出 {probs.shape[1]} 个和为 1 的数。",
    f"004A §5.4's printed “probabilities” cannot come from a softmax: rows of {len(printed_rows[0])} "
    f"summing to {sum(printed_rows[0]):.2g}, where Dense({probs.shape[1]}) gives {probs.shape[1]} summing to 1.",
)
lesson.conclude(
    f"分类器默认用 logits 上的交叉熵：从饱和起点出发，第 {early + 1} 轮时交叉熵平均领先 MSE "
    f"{100 * np.mean(sat_ce - sat_mse):.1f} 个百分点（每个种子都领先），因为 MSE 的梯度在“自信地错了”的样本上消失。",
    f"Cross-entropy on logits is the right default: from a saturated start it leads MSE-on-sigmoid by "
    f"{100 * np.mean(sat_ce - sat_mse):.1f} points at epoch {early + 1} (in every seed) — MSE's gradient vanishes "
    "on the confidently wrong samples.",
)

# %%
lesson.finish()
