# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Lesson 20 · Ensembles and compression · 模型集成与模型压缩
#
# **Textbook sections:** 004B §3.4 “模型训练与验证” (集成方法, 模型融合), §6.1 “图像识别” (模型剪枝, 量化),
# §6.3 “语音识别” (模型融合), §6.5 “健康医疗” (模型集成), §8.1(2) “模型压缩与优化”, §9.4 “模型压缩有哪些常见
# 方法？”; 004A §8.1 “发展趋势” (模型压缩)
#
# **You will see:** a seed ensemble of small digit classifiers against its own members (accuracy,
# log-loss, spread); accuracy against sparsity under magnitude pruning, layer by layer and global,
# with and without fine-tuning; int8 dynamic quantisation's size and accuracy; and a small student
# network trained alone against the same student distilled from a larger teacher, over seeds.
#
# **Time:** 9.6 s full, 5.5 s fast (after imports), measured on Intel(R) Xeon(R) Processor, 2 cores shared with other
# work; `python -m lessons list` prints your last measured times.

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
import minidl.nn.functional as F
from minidl import nn
from minidl import quantization as Q
from minidl.nn.utils import prune
from minidl.train import Trainer

lesson = Lesson("20_ensembles_compression", "Ensembles and compression", "模型集成与模型压缩")

X_tr, y_tr, X_va, y_va = digits_split(1297, seed=0)  # 1297 to train, 500 to validate
Xv = md.tensor(X_va)


def mlp(width: int, seed: int) -> nn.Sequential:
    md.manual_seed(seed)
    return nn.Sequential(nn.Linear(64, width), nn.ReLU(), nn.Linear(width, 10))


def fit(model, x, y, seed: int, epochs: int, lr: float = 1e-2, loss=None):
    """Adam, batches of 32; returns the trained model (in eval mode)."""
    opt = md.optim.Adam(model.parameters(), lr=lr)
    trainer = Trainer(model, loss or nn.CrossEntropyLoss(), opt, generator=seed)
    trainer.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
    return model.eval()


def accuracy(model) -> float:
    with md.no_grad():
        return float(np.mean(model(Xv).data.argmax(axis=1) == y_va))


def log_loss(model) -> float:
    with md.no_grad():
        return F.cross_entropy(model(Xv), md.tensor(y_va)).item()


# %% [markdown]
# ## 1. A seed ensemble against its members · 种子集成与其成员
#
# **问题 Question:** 几个只差随机种子的模型取平均，比其中每一个都好吗？也更稳定吗？ / Is the average of
# models that differ only in their seed better than each of them — and more stable?
#
# Members: 64 → 64 → 10 MLPs trained on 300 images whose labels are 20% wrong (so each member
# overfits and makes its own errors), seeds 0…M−1. `nn.Ensemble(mode="probs")` averages their softmax
# probabilities. By Jensen's inequality the log-loss of averaged probabilities is never above the
# members' mean log-loss (−log is convex); accuracy has no such guarantee, so it is measured.

# %%
n_members = lesson.pick(8, 5)
rng = np.random.default_rng(1)
small_idx = rng.choice(len(X_tr), 300, replace=False)
y_noisy = y_tr[small_idx].copy()
flipped = rng.random(300) < 0.2
y_noisy[flipped] = rng.integers(0, 10, flipped.sum())
ens_epochs = lesson.pick(30, 30)
members = [
    fit(mlp(64, s), X_tr[small_idx], y_noisy, s, ens_epochs)
    for s in lesson.progress(range(n_members), "members")
]
ensemble = nn.Ensemble(members, mode="probs").eval()
member_acc = np.array([accuracy(m) for m in members])
member_nll = np.array([log_loss(m) for m in members])
ens_acc, ens_nll = accuracy(ensemble), log_loss(ensemble)
logit_acc = accuracy(nn.Ensemble(members, mode="logits").eval())
# ensembles of 3 drawn from the members: how much do they vary, compared with single members?
rng = np.random.default_rng(2)
triples = [rng.choice(n_members, 3, replace=False) for _ in range(20)]
triple_acc = np.array([accuracy(nn.Ensemble([members[i] for i in t]).eval()) for t in triples])
lesson.print_table(
    [[f"member {i}", a, n] for i, (a, n) in enumerate(zip(member_acc, member_nll))]
    + [
        ["members' mean", member_acc.mean(), member_nll.mean()],
        [f"ensemble of {n_members} (probs)", ens_acc, ens_nll],
        [f"ensemble of {n_members} (logits)", logit_acc, "-"],
        ["ensembles of 3 (mean of 20)", triple_acc.mean(), "-"],
    ],
    ["model", "val accuracy", "val log-loss"],
    f"Seed ensemble: 64-64-10 MLPs, 300 training images (20% wrong labels), {ens_epochs} epochs",
)
lesson.result("member_accuracy", member_acc)
lesson.result("member_log_loss", member_nll)
lesson.result("ensemble_accuracy", ens_acc)
lesson.result("ensemble_log_loss", ens_nll)
lesson.result("ensemble_logits_accuracy", logit_acc)
lesson.result("triple_ensemble_accuracy", triple_acc)
lesson.check(
    "the ensemble's log-loss is below the members' mean (Jensen's inequality: −log is convex)",
    bool(ens_nll < member_nll.mean()),
    ensemble=ens_nll,
    mean_member=member_nll.mean(),
)
lesson.check(
    "the ensemble is more accurate than the members' mean by at least half a point",
    bool(ens_acc >= member_acc.mean() + 0.005),
    ensemble=ens_acc,
    mean_member=member_acc.mean(),
)
lesson.check(
    "ensembles of 3 vary less than single members (std of accuracy)",
    bool(triple_acc.std() < member_acc.std()),
    triples=triple_acc.std(),
    members=member_acc.std(),
)
lesson.textbook(
    "004B §3.4 模型训练与验证",
    "集成方法（Ensemble Method）：结合多个模型的预测结果，提高模型的性能和稳定性",
    "combining several models' predictions improves performance and stability",
    f"accuracy {ens_acc:.3f} vs members' mean {member_acc.mean():.3f} (best {member_acc.max():.3f}); "
    f"std of accuracy {triple_acc.std():.4f} for 3-model ensembles vs {member_acc.std():.4f} for "
    "single models",
    agree=bool(ens_acc > member_acc.mean() and triple_acc.std() < member_acc.std()),
    explanation="the ensemble was not better and more stable than its members here",
)
lesson.textbook(
    "004B §6.3 语音识别",
    "模型融合：将多个模型的预测结果进行融合，提高模型的识别准确率",
    "fusing models' predictions raises recognition accuracy (here: digits)",
    f"ensemble {ens_acc:.3f}, best single member {member_acc.max():.3f}",
    agree=bool(ens_acc >= member_acc.max()),
    explanation="the ensemble beat the members' mean but not the best member",
)
lesson.textbook(
    "004B §6.5 健康医疗",
    "模型集成：将多个模型的预测结果进行集成，提高模型的准确率和稳定性",
    "ensembling raises accuracy and stability",
    f"log-loss {ens_nll:.3f} vs members {member_nll.min():.3f}–{member_nll.max():.3f}",
    agree=bool(ens_nll < member_nll.min() and triple_acc.std() < member_acc.std()),
    explanation="the ensemble's probabilities were not better than every member's",
)

# %% [markdown]
# ## 2. Magnitude pruning · 按幅值剪枝
#
# **问题 Question:** 剪掉多少权重，准确率才开始掉？逐层剪和全局剪有何不同？剪后再训练能补回多少？ /
# How many weights can go before accuracy drops? Layer by layer or globally? How much does
# fine-tuning recover?
#
# The base model: a 64 → 128 → 10 MLP trained on all 1297 images. `prune.l1_unstructured` removes the
# same fraction of each layer's weights (smallest |w| first); `prune.global_unstructured` removes the
# smallest |w| of both layers together, so the layer with smaller weights loses more. Fine-tuning:
# a few more epochs with the masks in place (the pruned weights stay exactly zero).

# %%
base_epochs = 20
base = fit(mlp(128, 0), X_tr, y_tr, 0, base_epochs)
base_acc = accuracy(base)
sparsities = lesson.pick([0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99], [0.5, 0.8, 0.9, 0.95, 0.99])
tune_epochs = lesson.pick(5, 4)


def pruned_copy(kind: str, amount: float) -> nn.Sequential:
    model = mlp(128, 0)
    model.load_state_dict(base.state_dict())
    layers = [model[0], model[2]]
    if kind == "layer-wise":
        for layer in layers:
            prune.l1_unstructured(layer, "weight", amount=amount)
    else:
        prune.global_unstructured(
            [(m, "weight") for m in layers], pruning_method=prune.L1Unstructured, amount=amount
        )
    return model.eval()


def sparsity(model) -> list[float]:
    return [float(np.mean(model[i].weight.data == 0)) for i in (0, 2)]


rows, curves = [], {k: [] for k in ("layer-wise", "global", "layer-wise + tune", "global + tune")}
kept_zero = True
for amount in sparsities:
    for kind in ("layer-wise", "global"):
        model = pruned_copy(kind, amount)
        acc, layer_sparsity = accuracy(model), sparsity(model)
        mask = [model[i].weight_mask.data.copy() for i in (0, 2)]
        fit(model.train(), X_tr, y_tr, 1, tune_epochs, lr=2e-3)
        model(Xv)  # a forward recomputes weight = weight_orig * weight_mask
        kept_zero &= all(np.all(model[i].weight.data[m == 0] == 0) for i, m in zip((0, 2), mask))
        tuned = accuracy(model)
        curves[kind].append(acc)
        curves[kind + " + tune"].append(tuned)
        rows.append([amount, kind, layer_sparsity[0], layer_sparsity[1], acc, tuned])
lesson.print_table(
    rows,
    ["amount", "method", "sparsity fc1", "sparsity fc2", "val acc", f"after {tune_epochs} ep tune"],
    f"Pruning the 64-128-10 MLP (dense val accuracy {base_acc:.3f})",
)
curves = {k: np.array(v) for k, v in curves.items()}
lesson.result("dense_accuracy", base_acc)
lesson.result("sparsities", sparsities)
lesson.result("pruning_accuracy", curves)
i90 = sparsities.index(0.9)
lesson.check(
    "up to 50% of the weights cost less than 1 point of accuracy, without fine-tuning",
    bool(curves["layer-wise"][0] >= base_acc - 0.01 and curves["global"][0] >= base_acc - 0.01),
    layer_wise=curves["layer-wise"][0],
    glob=curves["global"][0],
    dense=base_acc,
)
lesson.check(
    "the pruned weights stay exactly zero through fine-tuning (mask in the forward pre-hook)",
    bool(kept_zero),
)
lesson.check(
    "fine-tuning recovers: at 90% sparsity within 6 points of dense, and 30 points above untuned",
    bool(
        min(curves["layer-wise + tune"][i90], curves["global + tune"][i90]) >= base_acc - 0.06
        and curves["global + tune"][i90] > curves["global"][i90] + 0.3
    ),
    layer_wise=curves["layer-wise + tune"][i90],
    glob=curves["global + tune"][i90],
    dense=base_acc,
)
lesson.check(
    "at the highest sparsity, accuracy without fine-tuning falls by more than 5 points",
    bool(max(curves["layer-wise"][-1], curves["global"][-1]) < base_acc - 0.05),
    layer_wise=curves["layer-wise"][-1],
    glob=curves["global"][-1],
)
# memory: the reparametrised model stores weight_orig AND the mask; a sparse format stores nonzeros
model90 = pruned_copy("global", 0.9)
dense_bytes = Q.model_size_bytes(base)
masked_bytes = Q.model_size_bytes(model90)
nnz = sum(int(np.count_nonzero(model90[i].weight.data)) for i in (0, 2))
rows_total = 128 + 10
csr_bytes = nnz * (4 + 4) + (rows_total + 2) * 4 + sum(4 * model90[i].bias.numel() for i in (0, 2))
lesson.print_table(
    [
        ["dense float32", dense_bytes],
        ["pruned, weight_orig + weight_mask (PyTorch's form)", masked_bytes],
        ["pruned 90%, CSR (values + column indices + row pointers)", csr_bytes],
    ],
    ["storage", "bytes"],
    "What pruning does to the size",
)
lesson.result("bytes_dense_masked_csr", [dense_bytes, masked_bytes, csr_bytes])
lesson.textbook(
    "004B §6.1 图像识别",
    "模型剪枝：通过剪枝算法减少模型参数的数量，降低计算复杂度和内存占用",
    "pruning cuts the number of parameters, the computation and the memory",
    f"90% pruned: {nnz} nonzero weights of {8192 + 1280}; bytes {masked_bytes} with masks vs "
    f"{dense_bytes} dense vs {csr_bytes} as CSR",
    agree=bool(csr_bytes < dense_bytes and masked_bytes <= dense_bytes),
    explanation=(
        "fewer nonzero parameters, yes; but memory falls only in a sparse format — stored as "
        "PyTorch's weight_orig + weight_mask the model is larger, and a dense matmul over the "
        "zeros costs the same"
    ),
)
print(
    "  (the nonzero count falls, but memory and time fall only if the zeros are stored and "
    "multiplied sparsely; with masks the model is larger)"
)

# %% [markdown]
# ## 3. int8 dynamic quantisation · int8 动态量化
#
# **问题 Question:** 把权重存成 int8，模型小多少？准确率掉多少？ / How much smaller is the model with
# int8 weights, and what does it cost in accuracy?
#
# `quantize_dynamic(model, {nn.Linear})` stores each Linear weight as int8 (symmetric, per tensor or
# per output row) and quantises each batch of activations to uint8 on the fly; products accumulate
# in int32. Size = bytes of the state (weights, biases, scales).

# %%
q_rows = [["float32", Q.model_size_bytes(base), base_acc, 0.0]]
with md.no_grad():
    ref_logits = base(Xv).data
for per_channel in (False, True):
    qmodel = Q.quantize_dynamic(base, {nn.Linear}, dtype=md.qint8, per_channel=per_channel)
    with md.no_grad():
        diff = float(np.abs(qmodel(Xv).data - ref_logits).max())
    q_rows.append(
        [
            "int8 per channel" if per_channel else "int8 per tensor",
            Q.model_size_bytes(qmodel),
            accuracy(qmodel),
            diff,
        ]
    )
lesson.print_table(q_rows, ["model", "bytes", "val accuracy", "max |logit diff|"], "Quantisation")
q_bytes, q_acc = q_rows[1][1], q_rows[1][2]
size_ratio = q_bytes / q_rows[0][1]
lesson.result(
    "quantisation", {r[0]: {"bytes": r[1], "accuracy": r[2], "max_diff": r[3]} for r in q_rows}
)
lesson.check(
    "int8 weights make the model at most 30% of its float32 size",
    bool(size_ratio <= 0.30),
    ratio=size_ratio,
)
lesson.check(
    "int8 (per tensor and per channel) loses at most 1 point of accuracy",
    bool(min(q_rows[1][2], q_rows[2][2]) >= base_acc - 0.01),
    per_tensor=q_rows[1][2],
    per_channel=q_rows[2][2],
    dense=base_acc,
)
lesson.textbook(
    "004B §9.4 模型压缩有哪些常见方法？",
    "量化：通过将模型权重和激活值从浮点数转换为整数，可以显著减少模型的大小和计算量",
    "quantisation shrinks the model and the computation (size measured; the multiply-adds are the "
    "same — cheaper only on int8 hardware, which NumPy does not use)",
    f"size ratio {size_ratio:.3f}, accuracy {base_acc:.3f} → {q_acc:.3f}; the number of "
    "multiply-adds is unchanged",
    agree=bool(size_ratio <= 0.30),
    explanation="the model did not get much smaller",
)
lesson.textbook(
    "004B §6.1 图像识别",
    "量化：对模型的权重进行量化，减少模型的内存占用和计算资源消耗",
    "quantising the weights reduces memory (measured) and compute (not measurable here)",
    f"{q_rows[0][1]} → {q_bytes} bytes",
    agree=bool(size_ratio <= 0.30),
    explanation="the model did not get much smaller",
)
print(
    "  (memory: measured. Compute: the same number of multiply-adds; int8 is faster only where the "
    "hardware multiplies int8 in SIMD (VNNI) — NumPy's int32 matmul here is slower than float32)"
)

# %% [markdown]
# ## 4. Knowledge distillation · 知识蒸馏
#
# **问题 Question:** 小模型跟着大模型的软标签学，比只用真标签学得更好吗？ / Does a small model that
# learns from a large model's soft labels beat the same model trained on the labels alone?
#
# Teacher: the 64 → 128 → 10 base model (1297 images). Student: 64 → 16 → 10, trained on only 200
# labelled images, alone (cross-entropy) or with `F.distillation_loss(s, t, y, T=4, alpha=0.9)` — the
# teacher's probabilities at temperature 4 carry which wrong classes look alike. The loss receives the
# images' indices as its "targets" and looks up their teacher logits and labels, so `Trainer.fit`
# runs it unchanged.

# %%
kd_seeds = list(range(lesson.pick(5, 3)))
kd_epochs = 60
T, alpha = 4.0, 0.9
with md.no_grad():
    teacher_logits = base(md.tensor(X_tr)).data
alone, distilled = [], []
for s in lesson.progress(kd_seeds, "students"):
    idx = np.random.default_rng(10 + s).choice(len(X_tr), 200, replace=False)
    alone.append(accuracy(fit(mlp(16, s), X_tr[idx], y_tr[idx], s, kd_epochs)))

    def kd_loss(out, rows, idx=idx):
        r = idx[rows.data.astype(int)]
        return F.distillation_loss(out, md.tensor(teacher_logits[r]), md.tensor(y_tr[r]), T, alpha)

    positions = np.arange(len(idx))  # the "targets": row numbers into idx
    distilled.append(accuracy(fit(mlp(16, s), X_tr[idx], positions, s, kd_epochs, loss=kd_loss)))
alone, distilled = np.array(alone), np.array(distilled)
student_bytes = Q.model_size_bytes(mlp(16, 0))
lesson.print_table(
    [[s, a, d, d - a] for s, a, d in zip(kd_seeds, alone, distilled)]
    + [["mean", alone.mean(), distilled.mean(), (distilled - alone).mean()]],
    ["seed", "student alone", "distilled student", "gain"],
    f"64-16-10 student ({student_bytes} bytes) on 200 images; teacher 64-128-10 "
    f"({Q.model_size_bytes(base)} bytes, val acc {base_acc:.3f}); T={T:g}, alpha={alpha:g}",
)
lesson.result("student_alone_accuracy", alone)
lesson.result("student_distilled_accuracy", distilled)
wins = int(np.sum(distilled > alone))
lesson.check(
    "distillation helps the student on average by at least 1 point",
    bool(distilled.mean() >= alone.mean() + 0.01),
    distilled=distilled.mean(),
    alone=alone.mean(),
)
lesson.check(
    f"the distilled student wins in most seeds (≥ {len(kd_seeds) // 2 + 1} of {len(kd_seeds)})",
    wins >= len(kd_seeds) // 2 + 1,
    wins=wins,
)
lesson.textbook(
    "004B §9.4 模型压缩有哪些常见方法？",
    "知识蒸馏：将一个大模型的知识迁移到一个小模型，通过训练小模型学习大模型的输出，从而降低模型的大小",
    "distillation moves a large model's knowledge into a small one by learning its outputs",
    f"student {student_bytes} bytes vs teacher {Q.model_size_bytes(base)}; student accuracy "
    f"{alone.mean():.3f} alone → {distilled.mean():.3f} distilled (teacher {base_acc:.3f})",
    agree=bool(distilled.mean() > alone.mean() and student_bytes < Q.model_size_bytes(base)),
    explanation="the distilled student was not better than the student alone",
)

# %% [markdown]
# ## 5. Compression "while keeping performance" · “在保持模型性能的前提下”压缩

# %%
tuned90 = max(curves["layer-wise + tune"][i90], curves["global + tune"][i90])
lesson.textbook(
    "004B §8.1(2) 模型压缩与优化",
    "通过这些技术可以在保持模型性能的前提下，显著减少模型的计算资源和存储需求",
    "quantisation, pruning and distillation cut resources while keeping performance",
    f"int8: {size_ratio:.2f}× the bytes, accuracy {base_acc:.3f} → {q_acc:.3f}; 90% pruned + tuned: "
    f"{tuned90:.3f}; distilled student ({student_bytes / Q.model_size_bytes(base):.2f}× the bytes): "
    f"{distilled.mean():.3f}",
    agree=bool(q_acc >= base_acc - 0.01 and tuned90 >= base_acc - 0.02),
    explanation=(
        f"int8 kept the accuracy ({q_acc:.3f}); 90% pruning lost {base_acc - tuned90:.3f} even after "
        f"{tune_epochs} epochs of fine-tuning — it depends on how much is removed"
    ),
)
lesson.textbook(
    "004A §8.1 发展趋势",
    "模型压缩技术如量化、剪枝、知识蒸馏等将得到进一步研究，以提高模型的效率和实用性",
    "compression (quantisation, pruning, distillation) improves efficiency",
    f"all three run here: int8 {size_ratio:.2f}× size; 90% of weights zero; a "
    f"{student_bytes / Q.model_size_bytes(base):.2f}× student at {distilled.mean():.3f}",
    agree=bool(size_ratio < 0.3 and nnz < 0.11 * (8192 + 1280)),
    explanation="a trend statement; the techniques did not deliver here",
)

# %% [markdown]
# ## 6. Figures · 图

# %%
fig, ax = plt.subplots(1, 3, figsize=(15, 4.2))
ax[0].bar(range(n_members), member_acc, color="tab:blue", label="members")
ax[0].axhline(ens_acc, color="tab:red", label=f"ensemble of {n_members}")
ax[0].axhline(member_acc.mean(), color="grey", ls=":", label="members' mean")
ax[0].set(title="seed ensemble", xlabel="member (seed)", ylabel="val accuracy",
          ylim=(min(member_acc) - 0.05, 1))  # fmt: skip
ax[0].legend(fontsize=8)
for k, style in [("layer-wise", "o-"), ("global", "s-"), ("layer-wise + tune", "o--"),
                 ("global + tune", "s--")]:  # fmt: skip
    ax[1].plot(sparsities, curves[k], style, label=k)
ax[1].axhline(base_acc, color="grey", ls=":", label="dense")
ax[1].set(title="accuracy vs sparsity", xlabel="fraction of weights pruned", ylabel="val accuracy")
ax[1].legend(fontsize=8)
ax[2].plot(kd_seeds, alone, "o-", label="student alone")
ax[2].plot(kd_seeds, distilled, "s-", label="distilled student")
ax[2].axhline(base_acc, color="grey", ls=":", label="teacher")
ax[2].set(title="distillation (64-16-10 student)", xlabel="seed", ylabel="val accuracy")
ax[2].legend(fontsize=8)
fig.tight_layout()
lesson.savefig(fig, "ensembles_compression")

# %% [markdown]
# ## What the numbers say · 结论

# %%
below_all = bool(ens_nll < member_nll.min())
lesson.conclude(
    f"{n_members} 个种子模型的集成：准确率 {ens_acc:.3f}，成员平均 {member_acc.mean():.3f}；对数损失 {ens_nll:.3f}，"
    f"{'低于每个成员' if below_all else '低于成员平均'}（{member_nll.min():.3f}–{member_nll.max():.3f}）；三模型集成的准确率波动 {triple_acc.std():.4f}，"
    f"单模型 {member_acc.std():.4f}。",
    f"An ensemble of {n_members} seeds: accuracy {ens_acc:.3f} vs members' mean "
    f"{member_acc.mean():.3f}; log-loss {ens_nll:.3f}, below {'every member' if below_all else 'their mean'} ({member_nll.min():.3f}–"
    f"{member_nll.max():.3f}); 3-model ensembles vary by {triple_acc.std():.4f}, single models by "
    f"{member_acc.std():.4f}.",
)
lesson.conclude(
    f"剪枝：50% 几乎无损，90% 经 {tune_epochs} 轮微调后 {tuned90:.3f}（稠密 {base_acc:.3f}），"
    f"{sparsities[-1]:.0%} 不微调则降到 {max(curves['layer-wise'][-1], curves['global'][-1]):.3f}；"
    f"但带掩码的模型反而更大（{masked_bytes} 对 {dense_bytes} 字节），只有稀疏存储（{csr_bytes}）才省内存。",
    f"Pruning: 50% is nearly free, 90% recovers to {tuned90:.3f} after {tune_epochs} epochs of "
    f"fine-tuning (dense {base_acc:.3f}), {sparsities[-1]:.0%} without tuning falls to "
    f"{max(curves['layer-wise'][-1], curves['global'][-1]):.3f}; the masked model is larger "
    f"({masked_bytes} vs {dense_bytes} bytes) — only sparse storage ({csr_bytes}) saves memory.",
)
lesson.conclude(
    f"int8 量化：{size_ratio:.2f} 倍大小，准确率 {base_acc:.3f} → {q_acc:.3f}。蒸馏：小学生模型 "
    f"{alone.mean():.3f} → {distilled.mean():.3f}（{wins}/{len(kd_seeds)} 个种子更好）。",
    f"int8: {size_ratio:.2f}× the size, accuracy {base_acc:.3f} → {q_acc:.3f}. Distillation: the "
    f"small student {alone.mean():.3f} → {distilled.mean():.3f} ({wins}/{len(kd_seeds)} seeds better).",
)

# %%
lesson.finish()
