# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Lesson 11 · Schedules and warm-up · 学习率调度与预热
#
# **Textbook sections:** 003 §3.2 “学习率调整” (固定学习率、指数衰减学习率、阶梯学习率), §4.2 “使用PyTorch实现
# 学习率调整” (`StepLR(optimizer, step_size=10, gamma=0.1)`); 002 §3.3 “学习率调整” (学习率衰减, 学习率预热,
# 自适应学习率); 004A §3.1 and 004B §3.1(1) “学习率调整” (学习率衰减)
#
# **You will see:** the text's StepLR snippet run as written — its learning rate over 100 epochs and the
# loss curve it produces — beside a constant rate and sensible schedules; step, cosine, one-cycle and
# reduce-on-plateau on digits over several seeds; what happens when `scheduler.step()` is called in the
# wrong place; warm-up's mechanics and its measured effect on the first steps of Adam in a deep network;
# and every reason the text gives for a schedule checked against what the schedule does.
#
# **Time:** 7.1 s full, 4.0 s fast (after imports), measured on
# Intel(R) Xeon(R) Processor, 2 cores; `python -m lessons list` prints your last measured times.

# %%
import matplotlib.pyplot as plt
import numpy as np

try:
    from _course import Lesson  # run as a script, or as a notebook opened in lessons/
    from _loop import digits_split, mean_loss, train
except ModuleNotFoundError:  # a notebook opened anywhere else (minidl installed: pip install -e .)
    from lessons._course import Lesson
    from lessons._loop import digits_split, mean_loss, train

import minidl as md
from minidl import nn
from minidl.optim import lr_scheduler

lesson = Lesson("11_schedules", "Schedules and warm-up", "学习率调度与预热")

# %% [markdown]
# ## 1. The text's StepLR snippet, as written (003 §4.2) · 原样运行教材的 StepLR 代码
#
# **问题 Question:** `StepLR(step_size=10, gamma=0.1)` 在 100 轮里把学习率变成多少？损失曲线怎样？ /
# What does it do to the learning rate over 100 epochs, and to the loss?
#
# The snippet trains `nn.Linear(10, 1)` with MSE and `SGD(lr=0.01)` for 100 epochs and calls
# `scheduler.step()` once per epoch. It never defines `inputs` and `targets`; we supply 64 samples of a
# noisy linear function of 10 inputs (as in lesson 3) and run it with and without the scheduler.

# %%
inputs = md.randn(64, 10, generator=1)
targets = inputs @ md.randn(10, 1, generator=2) + 0.1 * md.randn(64, 1, generator=3)


def run_snippet(make_scheduler, epochs: int = 100):
    """The text's loop; returns the loss and the learning rate of every epoch."""
    md.manual_seed(0)
    model = nn.Linear(10, 1)
    criterion = nn.MSELoss()
    optimizer = md.optim.SGD(model.parameters(), lr=0.01)
    scheduler = make_scheduler(optimizer)
    losses, lrs = [], []
    for _epoch in range(epochs):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.zero_grad()
        output = model(inputs)
        loss = criterion(output, targets)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        losses.append(loss.item())
    return np.array(losses), np.array(lrs)


snippets = {
    "constant lr 0.01": lambda o: None,
    "StepLR(10, 0.1) (the text)": lambda o: lr_scheduler.StepLR(o, step_size=10, gamma=0.1),
    "StepLR(40, 0.1)": lambda o: lr_scheduler.StepLR(o, step_size=40, gamma=0.1),
    "CosineAnnealingLR(100)": lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=100),
}
snip = {k: run_snippet(f) for k, f in snippets.items()}
text_loss, text_lr = snip["StepLR(10, 0.1) (the text)"]
const_loss = snip["constant lr 0.01"][0]
frozen_at = int(np.argmax(text_lr < 1e-5))  # the first epoch whose lr is below 1e-5
lesson.print_table(
    [[k, lr[0], lr[-1], loss[0], loss[frozen_at], loss[-1]] for k, (loss, lr) in snip.items()],
    [
        "schedule",
        "lr epoch 1",
        "lr epoch 100",
        "loss epoch 1",
        f"epoch {frozen_at + 1}",
        "epoch 100",
    ],
    "The snippet's linear model, full batch, 100 epochs",
)
lesson.result("snippet_lr_epoch_100", float(text_lr[-1]))
lesson.result("snippet_final_loss", {k: float(v[0][-1]) for k, v in snip.items()})
moved_after = float((text_loss[frozen_at] - text_loss[-1]) / (text_loss[0] - text_loss[-1]))
lesson.check(
    "StepLR(10, 0.1) gives lr = 0.01·0.1^⌊epoch/10⌋: 1e-11 in the last ten epochs",
    bool(np.allclose(text_lr, 0.01 * 0.1 ** (np.arange(100) // 10), rtol=1e-9)),
    last_lr=float(text_lr[-1]),
)
lesson.check(
    f"after epoch {frozen_at + 1} (lr < 1e-5) the loss moves by < 1% of its total fall",
    moved_after < 0.01,
    fraction_after=moved_after,
)
lesson.textbook(
    "003 §4.2 使用PyTorch实现学习率调整",
    "scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.1) … for epoch in range(100): … scheduler.step()",
    "the text's learning-rate schedule for its 100-epoch training loop",
    f"lr {text_lr[0]:g} → {text_lr[-1]:.0e}; loss after 100 epochs {text_loss[-1]:.4g} vs "
    f"{const_loss[-1]:.4g} with the constant lr (the text's schedule stops learning after epoch "
    f"{frozen_at})",
    agree=bool(text_loss[-1] <= const_loss[-1]),
    explanation=(
        f"dividing the lr by 10 every 10 epochs leaves lr < 1e-5 from epoch {frozen_at + 1}: the "
        f"last {100 - frozen_at} epochs barely move the weights; step_size must be a sizeable "
        "fraction of the run (e.g. 40 of 100)"
    ),
)

# %% [markdown]
# ## 2. Sensible schedules on digits · 合理的调度在 digits 上
#
# **问题 Question:** 阶梯、余弦、one-cycle、平台衰减与固定学习率相比如何？ / How do step, cosine,
# one-cycle and plateau decay compare with a constant learning rate?
#
# A 64 → 64 (ReLU) → 10 MLP, SGD with momentum 0.9, peak lr 0.05, batches of 32, several seeds. Step,
# cosine and one-cycle are stepped after every batch over the whole run; ReduceLROnPlateau after every
# epoch on the validation loss (factor 0.1, patience 2). For each run we record the loss on the whole
# training set after every epoch, the validation accuracy, how far the weights move in the last epoch,
# and how much the training loss still changes between the last two epochs.

# %%
X_tr, y_tr, X_va, y_va = digits_split(1400, seed=0)
epochs = lesson.pick(15, 4)
seeds = list(range(lesson.pick(3, 2)))
steps_per_epoch = -(-len(X_tr) // 32)
total = epochs * steps_per_epoch


def make(name: str, opt):
    """(scheduler, 'batch' or 'epoch') for a schedule name."""
    if name == "constant":
        return None, None
    if name == "step (÷10 at 1/2, 3/4)":
        return lr_scheduler.MultiStepLR(opt, [total // 2, 3 * total // 4], gamma=0.1), "batch"
    if name == "cosine":
        return lr_scheduler.CosineAnnealingLR(opt, T_max=total), "batch"
    if name == "one-cycle":
        return lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=total), "batch"
    return lr_scheduler.ReduceLROnPlateau(opt, factor=0.1, patience=2), "epoch"


def flat(model) -> np.ndarray:
    return np.concatenate([p.data.ravel() for p in model.parameters()])


schedules = ["constant", "step (÷10 at 1/2, 3/4)", "cosine", "one-cycle", "plateau"]
runs = {k: [] for k in schedules}
for name in schedules:
    for s in lesson.progress(seeds, name):
        md.manual_seed(s)
        model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
        opt = md.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        sched, every = make(name, opt)
        lrs, snapshots, full_loss = [], [flat(model)], []

        def on_batch(step, loss, sched=sched, every=every, lrs=lrs, opt=opt):  # noqa: ARG001
            lrs.append(opt.param_groups[0]["lr"])
            if every == "batch":
                sched.step()

        def on_epoch(
            epoch, hist, sched=sched, every=every, snaps=snapshots, model=model, fl=full_loss
        ):
            snaps.append(flat(model))
            fl.append(mean_loss(model, X_tr, y_tr))  # the whole training set, after the epoch
            if every == "epoch":
                sched.step(hist["val_loss"][-1])

        h = train(
            model,
            opt,
            X_tr,
            y_tr,
            epochs,
            seed=s,
            validation_data=(X_va, y_va),
            on_batch=on_batch,
            on_epoch=on_epoch,
        )
        runs[name].append(
            {
                "loss": full_loss[-1],
                "val_acc": h["val_accuracy"][-1],
                "last_move": float(np.linalg.norm(snapshots[-1] - snapshots[-2])),
                "last_change": abs(full_loss[-1] - full_loss[-2]),
                "lrs": np.array(lrs),
                "curve": np.array(full_loss),
            }
        )


def col(name: str, key: str) -> np.ndarray:
    return np.array([r[key] for r in runs[name]])


lesson.print_table(
    [
        [
            k,
            col(k, "loss").mean(),
            col(k, "val_acc").mean(),
            col(k, "val_acc").min(),
            col(k, "last_move").mean(),
            col(k, "last_change").mean(),
            runs[k][0]["lrs"][-1],
        ]
        for k in schedules
    ],
    [
        "schedule",
        "train loss",
        "val acc",
        "worst",
        "‖Δθ‖ last epoch",
        "|ΔL| last epoch",
        "final lr",
    ],
    f"digits MLP, SGD momentum 0.9, peak lr 0.05, {epochs} epochs, {len(seeds)} seeds",
)
lesson.result(
    "digits_schedules",
    {
        k: {"loss": col(k, "loss"), "val_acc": col(k, "val_acc"), "last_move": col(k, "last_move")}
        for k in schedules
    },
)
annealed = ["step (÷10 at 1/2, 3/4)", "cosine", "one-cycle"]
lesson.check(
    "annealed schedules move the weights < 1/3 as far in the last epoch as the constant lr",
    all(col(k, "last_move").max() < col("constant", "last_move").min() / 3 for k in annealed),
    **{k: col(k, "last_move").mean() for k in annealed + ["constant"]},
)
one_cycle_lrs = runs["one-cycle"][0]["lrs"]
lesson.check(
    "one-cycle rises to max_lr and ends far below its start (warm-up, then annealing)",
    bool(abs(one_cycle_lrs.max() - 0.05) < 1e-6 and one_cycle_lrs[-1] < one_cycle_lrs[0] / 100),
    start=one_cycle_lrs[0],
    peak=one_cycle_lrs.max(),
    end=one_cycle_lrs[-1],
)
calm = all(np.all(col(k, "last_move") < col("constant", "last_move")) for k in annealed)
cuts = int(np.sum(np.diff(runs["plateau"][0]["lrs"]) < 0))
lesson.result("plateau_lr_cuts_seed0", cuts)
lower = {k: int(np.sum(col(k, "loss") < col("constant", "loss"))) for k in annealed}
lower_text = ", ".join(f"{k} {v}/{len(seeds)}" for k, v in lower.items())
if sum(lower.values()) == 0:
    lower_text += " — here the constant lr ends lower in every seed"
lesson.result("annealed_seeds_with_lower_train_loss", lower)
lesson.textbook(
    "002 §3.3 学习率调整",
    "学习率衰减：随着训练的进行，逐渐降低学习率，使模型更稳定地收敛",
    "decaying the learning rate makes the model converge more stably",
    f"last-epoch weight change: constant {col('constant', 'last_move').mean():.3g}, cosine "
    f"{col('cosine', 'last_move').mean():.3g}; last-epoch |ΔL|: constant "
    f"{col('constant', 'last_change').mean():.3g}, cosine {col('cosine', 'last_change').mean():.3g}",
    agree=calm,
    explanation="the decayed runs were not calmer at the end than the constant one",
)
lesson.textbook(
    "004B §3.1(1) 学习率调整",
    "学习率衰减：随着训练的进行，逐渐降低学习率，以防止模型过早收敛",
    "decaying the learning rate prevents the model from converging too early",
    f"with decay the weights settle (last-epoch move {col('cosine', 'last_move').mean():.3g} vs "
    f"{col('constant', 'last_move').mean():.3g} at constant lr): decay makes training converge",
    agree=not calm,
    explanation=(
        "a smaller lr takes smaller steps: it lets the model settle into the minimum it has "
        "reached (lower loss, less noise) — it hastens convergence rather than preventing it"
    ),
)

# %% [markdown]
# ## 3. Where `scheduler.step()` goes · scheduler.step() 放在哪里
#
# **问题 Question:** 把按轮设计的调度器放进批循环会怎样？ / What happens when a per-epoch scheduler
# is stepped inside the batch loop?
#
# StepLR(step_size=10) counts calls to `step()`. Meant per epoch (as in the text's loop), it is often
# put inside the batch loop by mistake: then it counts batches, and with dozens of batches per epoch the lr
# is divided by 10 several times within the first epoch (the table counts them).

# %%
place = {}
for where in ["after each epoch", "after each batch (mistake)"]:
    opt = md.optim.SGD([md.zeros(1, requires_grad=True)], lr=0.1)
    sched = lr_scheduler.StepLR(opt, step_size=10, gamma=0.1)
    per_epoch = []
    for _epoch in range(3):
        for _batch in range(steps_per_epoch):
            opt.step()
            if where != "after each epoch":
                sched.step()
        if where == "after each epoch":
            sched.step()
        per_epoch.append(opt.param_groups[0]["lr"])
    place[where] = per_epoch
lesson.print_table(
    [[k, *v] for k, v in place.items()],
    ["scheduler.step() placed", "lr after epoch 1", "epoch 2", "epoch 3"],
    f"StepLR(step_size=10, gamma=0.1), lr 0.1, {steps_per_epoch} batches per epoch",
)
lesson.result("step_placement", place)
lesson.check(
    f"per epoch the lr is unchanged for 10 epochs; per batch it has fallen by "
    f"10^⌊{steps_per_epoch}/10⌋ after one",
    place["after each epoch"] == [0.1, 0.1, 0.1]
    and abs(place["after each batch (mistake)"][0] - 0.1 * 0.1 ** (steps_per_epoch // 10)) < 1e-15,
    per_batch_after_1=place["after each batch (mistake)"][0],
)

# %% [markdown]
# ## 4. Warm-up · 学习率预热
#
# **问题 Question:** 训练初期用较小的学习率能避免振荡吗？ / Does a small learning rate at the start
# avoid oscillation?
#
# Mechanics: `LinearLR(start_factor=0.01, total_iters=100)` multiplies the lr by a factor rising linearly
# from 0.01 to 1 over the first 100 steps. We train a deep MLP (64 → 6 × 64 ReLU → 10) with Adam at a
# high lr of 0.01, with and without it. Oscillation is measured on a fixed probe batch: the loss after
# each of the first 100 steps, and the total of its rises Σ max(0, L_t − L_{t−1}) (a loss that only
# falls scores 0). Then the accuracy after the run, seed by seed.

# %%
warm_epochs = lesson.pick(4, 2)
X_probe, y_probe = X_tr[:256], y_tr[:256]
warm = {"no warm-up": [], "linear warm-up (100 steps)": []}
for name in warm:
    for s in lesson.progress(seeds, name):
        md.manual_seed(s)
        layers = [nn.Linear(64, 64), nn.ReLU()]
        for _ in range(5):
            layers += [nn.Linear(64, 64), nn.ReLU()]
        model = nn.Sequential(*layers, nn.Linear(64, 10))
        opt = md.optim.Adam(model.parameters(), lr=0.01)
        sched = (
            lr_scheduler.LinearLR(opt, start_factor=0.01, total_iters=100)
            if name != "no warm-up"
            else None
        )
        probe_loss, lrs = [mean_loss(model, X_probe, y_probe)], []

        def on_batch(step, loss, sched=sched, pl=probe_loss, lrs=lrs, opt=opt, model=model):  # noqa: ARG001
            lrs.append(opt.param_groups[0]["lr"])
            if step <= 100:  # the loss on a fixed probe batch after each of the first 100 steps
                pl.append(mean_loss(model, X_probe, y_probe))
            if sched is not None:
                sched.step()

        h = train(
            model,
            opt,
            X_tr,
            y_tr,
            warm_epochs,
            seed=s,
            validation_data=(X_va, y_va),
            on_batch=on_batch,
        )
        rises = np.maximum(np.diff(probe_loss), 0.0)  # how much the loss went *up*, step by step
        warm[name].append(
            {
                "osc": float(rises.sum()),
                "val_acc": h["val_accuracy"][-1],
                "losses": np.array(probe_loss),
                "lrs": np.array(lrs),
            }
        )
osc = {k: np.array([r["osc"] for r in v]) for k, v in warm.items()}
wacc = {k: np.array([r["val_acc"] for r in v]) for k, v in warm.items()}
lesson.print_table(
    [[k, osc[k].mean(), osc[k].max(), wacc[k].mean(), wacc[k].min(), wacc[k].max()] for k in warm],
    ["Adam lr 0.01", "Σ loss rises, first 100 steps", "worst seed", "val acc", "min", "max"],
    f"deep MLP, {warm_epochs} epochs, {len(seeds)} seeds",
)
lesson.result("warmup_oscillation", osc)
lesson.result("warmup_val_acc", wacc)
ramp = warm["linear warm-up (100 steps)"][0]["lrs"]
n_ramp = min(len(ramp), 101)
expected_ramp = 0.01 * (0.01 + 0.99 * np.minimum(np.arange(n_ramp), 100) / 100)
lesson.check(
    "LinearLR ramps the lr linearly from 1% to 100% over the first 100 steps",
    bool(np.allclose(ramp[:n_ramp], expected_ramp) and (len(ramp) < 101 or ramp[100] == 0.01)),
    first=ramp[0],
    last_checked=ramp[n_ramp - 1],
)
lesson.textbook(
    "002 §3.3 学习率调整",
    "学习率预热：在训练初期使用较小的学习率，避免模型振荡，然后逐渐增加学习率",
    "warm-up: a small lr at the start avoids oscillation, then the lr is raised",
    f"total rise of the probe loss over the first 100 steps: {osc['linear warm-up (100 steps)'].mean():.3g} with "
    f"warm-up, {osc['no warm-up'].mean():.3g} without (every seed lower: "
    f"{bool(np.all(osc['linear warm-up (100 steps)'] < osc['no warm-up']))})",
    agree=bool(np.all(osc["linear warm-up (100 steps)"] < osc["no warm-up"])),
    explanation=(
        "the probe loss rose more with warm-up, while its lr ramps up to 0.01; what warm-up "
        f"changed here is where training ends: val acc {wacc['linear warm-up (100 steps)'].mean():.3f} "
        f"vs {wacc['no warm-up'].mean():.3f} (ahead in "
        f"{int(np.sum(wacc['linear warm-up (100 steps)'] > wacc['no warm-up']))}/{len(seeds)} seeds)"
    ),
)

# %% [markdown]
# ## 5. Figures · 图

# %%
fig, ax = plt.subplots(1, 3, figsize=(15, 4.2))
for k, (_loss, lr) in snip.items():
    ax[0].semilogy(np.arange(1, 101), lr, label=k)
ax[0].set(title="the snippet's lr per epoch", xlabel="epoch", ylabel="lr")
ax[0].legend(fontsize=7)
ax0b = ax[1]
for k, (loss, _lr) in snip.items():
    ax0b.semilogy(np.arange(1, 101), loss, label=k)
ax0b.set(title="the snippet's MSE per epoch", xlabel="epoch", ylabel="loss")
ax0b.legend(fontsize=7)
for k in schedules:
    ax[2].plot(np.arange(1, total + 1) / steps_per_epoch, runs[k][0]["lrs"], label=k)
ax[2].set(title="digits: lr per step (seed 0)", xlabel="epoch", ylabel="lr")
ax[2].legend(fontsize=7)
fig.tight_layout()
lesson.savefig(fig, "schedules")

# %% [markdown]
# ## What the numbers say · 结论

# %%
lesson.conclude(
    f"教材的 StepLR(10, 0.1) 在 100 轮中把学习率降到 {text_lr[-1]:.0e}：第 {frozen_at} 轮后几乎不再学习，"
    f"最终损失 {text_loss[-1]:.4g}，而固定学习率为 {const_loss[-1]:.4g}。",
    f"The text's StepLR(10, 0.1) takes the lr to {text_lr[-1]:.0e} over 100 epochs: learning stops after "
    f"epoch {frozen_at}, final loss {text_loss[-1]:.4g} vs {const_loss[-1]:.4g} at a constant lr.",
)
lesson.conclude(
    f"合理的退火（阶梯、余弦、one-cycle）让训练在最后稳定下来：最后一轮权重变化 {col('cosine', 'last_move').mean():.3g}"
    f"（余弦）对 {col('constant', 'last_move').mean():.3g}（固定）。衰减让模型“更稳定地收敛”（002 §3.3 对），"
    f"而不是“防止过早收敛”（004B §3.1 的理由不对）。{epochs} 轮时训练损失低于固定学习率的种子数：{lower_text}。",
    f"Sensible annealing (step, cosine, one-cycle) makes training settle: last-epoch weight change "
    f"{col('cosine', 'last_move').mean():.3g} (cosine) vs {col('constant', 'last_move').mean():.3g} "
    "(constant). Decay makes the model converge stably (002 §3.3 is right), not later (004B §3.1's "
    f"reason is not). Seeds whose train loss ends below constant's after {epochs} epochs: {lower_text}.",
)
lesson.conclude(
    f"平台衰减只在验证损失停止下降时才降低学习率：本次（种子 0）降了 {cuts} 次。",
    f"Reduce-on-plateau cuts the lr only when the validation loss stops improving: {cuts} cut(s) here "
    "(seed 0).",
)
lesson.conclude(
    f"scheduler.step() 放进批循环，StepLR(10) 第一轮后学习率就成了 {place['after each batch (mistake)'][0]:.0e}。",
    f"Stepped per batch, StepLR(10) has the lr at {place['after each batch (mistake)'][0]:.0e} after one "
    "epoch.",
)
ahead = int(np.sum(wacc["linear warm-up (100 steps)"] > wacc["no warm-up"]))
lesson.conclude(
    f"前 100 步探测损失的上升总量：预热 vs 不预热（{osc['linear warm-up (100 steps)'].mean():.3g} 对 {osc['no warm-up'].mean():.3g}）；"
    f"最终准确率 {wacc['linear warm-up (100 steps)'].mean():.3f} 对 {wacc['no warm-up'].mean():.3f}，"
    f"预热在 {ahead}/{len(seeds)} 个种子上领先。",
    f"Total rise of the probe loss in the first 100 steps, warm-up vs none: ({osc['linear warm-up (100 steps)'].mean():.3g} vs "
    f"{osc['no warm-up'].mean():.3g}); final val accuracy {wacc['linear warm-up (100 steps)'].mean():.3f} "
    f"vs {wacc['no warm-up'].mean():.3f}, warm-up ahead in {ahead}/{len(seeds)} seeds.",
)

# %%
lesson.finish()
