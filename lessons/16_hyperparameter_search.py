# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Lesson 16 · Hyperparameter search · 超参数搜索
#
# **Textbook sections:** 002 §3.1 “超参数优化”, §9.1 “如何选择合适的超参数？”; 004B §3.1(5) “超参数选择策略”,
# §3.1(6) “实践中的超参数调整”, §7.2 “开发工具框架推荐”, §8.1 “未来发展趋势”
#
# **You will see:** learning rate × width × weight decay for a digits MLP searched under a fixed trial
# budget with `minidl.search` (Optuna's interface): best-so-far curves of grid, random and Bayesian (GP)
# search over several seeds; a log-scale against a linear range for the learning rate; scoring by a
# validation split against cross-validation; and what pruning (median, successive halving) does to
# the budget. Optuna's TPE is run as the industrial reference when `optuna` is installed.
#
# **Time:** 13.2 s full, 5.3 s fast (after imports), measured on
# Intel(R) Xeon(R) Processor, 2 cores; `python -m lessons list` prints your last measured times.

# %%
import math
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import StratifiedKFold

try:
    from _course import Lesson  # run as a script, or as a notebook opened in lessons/
except ModuleNotFoundError:  # a notebook opened anywhere else (minidl installed: pip install -e .)
    from lessons._course import Lesson

import minidl as md
import minidl.nn.functional as F
import minidl.search as search
from minidl import nn

lesson = Lesson("16_hyperparameter_search", "Hyperparameter search", "超参数搜索")

# %% [markdown]
# ## 1. The objective · 目标函数
#
# Digits (pixels / 16): 1000 training, 400 validation, 397 test images. A trial trains an MLP 64 →
# width → 10 with AdamW(lr, weight_decay) for a few epochs (batch 64, the same seed for every trial,
# so a configuration always gets the same score) and returns the validation accuracy. The space:
# lr ∈ [1e-4, 1] (log), width ∈ [8, 256] (log, integer), weight_decay ∈ [1e-6, 1e-1] (log). The loop
# is written out (rather than `Trainer.fit`) because the pruning section reports after each epoch.

# %%
X_all, y_all = load_digits(return_X_y=True)
X_all = (X_all / 16).astype(np.float32)
perm = np.random.default_rng(0).permutation(len(X_all))
X_all, y_all = X_all[perm], y_all[perm]
X_tr, y_tr = X_all[:1000], y_all[:1000]
X_va, y_va = X_all[1000:1400], y_all[1000:1400]
X_te, y_te = X_all[1400:], y_all[1400:]
epochs = 5  # both modes: fewer epochs leave too little for pruning to cut
budget = lesson.pick(18, 12)
seeds = list(range(lesson.pick(4, 2)))
epochs_trained = [0]  # a counter of the work done (epochs), for the pruning section


def train_and_score(lr, width, wd, X, y, Xv, yv, trial=None) -> float:
    """Train the MLP on (X, y); validation accuracy on (Xv, yv) after the last epoch. With a trial,
    report the accuracy after every epoch and stop early when the pruner says so."""
    md.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, width), nn.ReLU(), nn.Linear(width, 10))
    opt = md.optim.AdamW(model.parameters(), lr=lr, weight_decay=wd)
    rng = np.random.default_rng(0)
    acc = 0.0
    for epoch in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), 64):
            b = order[start : start + 64]
            loss = F.cross_entropy(model(md.tensor(X[b])), y[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
        epochs_trained[0] += 1
        with md.no_grad():
            out = model(md.tensor(Xv)).numpy()
        acc = float(np.mean(out.argmax(axis=1) == yv)) if np.all(np.isfinite(out)) else 0.0
        if trial is not None:
            trial.report(acc, epoch)
            if trial.should_prune():
                raise search.TrialPruned()
    return acc


def objective(trial, lr_log: bool = True) -> float:
    lr = trial.suggest_float("lr", 1e-4, 1.0, log=lr_log)
    width = trial.suggest_int("width", 8, 256, log=True)
    wd = trial.suggest_float("weight_decay", 1e-6, 1e-1, log=True)
    return train_and_score(lr, width, wd, X_tr, y_tr, X_va, y_va, trial)


def best_so_far(study) -> np.ndarray:
    values = [t.value if t.value is not None else 0.0 for t in study.trials]
    return np.maximum.accumulate(values)


# %% [markdown]
# ## 2. Grid, random and Bayesian search at an equal budget · 相同预算下的网格、随机与贝叶斯搜索
#
# **问题 Question:** 同样的试验次数，哪种方法找到的配置更好？ / With the same number of trials, which
# method finds the better configuration?
#
# The grid: 3 learning rates × 3 widths × 2 weight decays = 18 points (1e-3, 1e-2, 1e-1; 16, 64, 256;
# 1e-5, 1e-2), in a seeded random order (fast mode stops after the first 12). Random: `RandomSampler`.
# Bayesian: `GPSampler` (a Gaussian-process model of the score, the next trial maximising expected
# improvement) after 8 random start-up trials.
#
# Every study here except section 5's is created with `pruner=NopPruner()`: `create_study`'s default
# pruner is `MedianPruner()` (Optuna's default too), and this objective reports after every epoch, so
# without it trials would be stopped early, their partial scores would enter the best-so-far curves,
# and the GP — which learns only from COMPLETE trials — would see fewer of them and could propose a
# pruned point again.

# %%
grid_space = {"lr": [1e-3, 1e-2, 1e-1], "width": [16, 64, 256], "weight_decay": [1e-5, 1e-2]}
curves = {"grid": [], "random": [], "GP": []}
n_startup = 8  # random trials before the GP is used
no_pruning = search.pruners.NopPruner()  # see above: the default would prune
gp_after_startup, rnd_after_startup, gp_distinct, grid_distinct = [], [], [], []
warnings.filterwarnings("ignore", message=".*GridSampler.*")  # grid values outside a log range
for s in lesson.progress(seeds, "samplers"):
    samplers = {
        "grid": search.samplers.GridSampler(grid_space, seed=s),
        "random": search.samplers.RandomSampler(seed=s),
        "GP": search.samplers.GPSampler(seed=s, n_startup_trials=n_startup),
    }
    for name, sampler in samplers.items():
        study = search.create_study(direction="maximize", sampler=sampler, pruner=no_pruning)
        study.optimize(objective, n_trials=budget)
        curves[name].append(best_so_far(study))
        vals = np.array([t.value for t in study.trials])
        if name == "GP":
            gp_after_startup.append(vals[n_startup:].mean())
            gp_distinct.append(len({tuple(t.params.values()) for t in study.trials}))
        if name == "grid":
            grid_distinct.append(len({tuple(t.params.values()) for t in study.trials}))
        if name == "random":
            rnd_after_startup.append(vals[n_startup:].mean())
curves = {k: np.array(v) for k, v in curves.items()}
try:  # Optuna's TPE as the industrial reference, only when optuna is installed
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    tpe = []
    for s in seeds:
        st = optuna.create_study(
            direction="maximize",
            sampler=optuna.samplers.TPESampler(seed=s),
            pruner=optuna.pruners.NopPruner(),
        )
        st.optimize(objective, n_trials=budget)
        tpe.append(best_so_far(st))
    curves["Optuna TPE (reference)"] = np.array(tpe)
except ImportError:
    print("optuna is not installed: the TPE reference is skipped")
final = {k: v[:, -1] for k, v in curves.items()}
lesson.print_table(
    [
        [k, v[:, 4].mean(), v[:, budget // 2 - 1].mean(), v[:, -1].mean(), v[:, -1].min()]
        for k, v in curves.items()
    ],
    [
        "sampler",
        "best after 5",
        f"best after {budget // 2}",
        f"best after {budget}",
        f"worst seed after {budget}",
    ],
    f"validation accuracy, best so far, mean over {len(seeds)} seeds",
)
lesson.result("best_so_far", curves)
lesson.result("gp_mean_after_startup", gp_after_startup)
lesson.result("random_mean_after_startup", rnd_after_startup)
lesson.result("gp_distinct_configurations", gp_distinct)
print(f"distinct configurations the GP tried, per seed (of {budget}): {gp_distinct}")
overall_best = max(float(v.max()) for v in final.values())
gp_vs_rnd = float(np.mean(gp_after_startup) - np.mean(rnd_after_startup))
lesson.check(
    "every sampler finds a configuration above 0.9 val acc within the budget, every seed",
    all(bool(np.all(v > 0.9)) for k, v in final.items()),
    **{k: v.min() for k, v in final.items()},
)
lesson.textbook(
    "002 §3.1 超参数优化（网格搜索）",
    "网格搜索：在预定义的超参数范围内进行穷举搜索，找到最佳组合",
    "grid search searches the range exhaustively and finds the best combination",
    f"grid's best {final['grid'].mean():.3f} (of {math.prod(map(len, grid_space.values()))} "
    f"points); best "
    f"found by any sampler {overall_best:.3f}; random {final['random'].mean():.3f}, GP "
    f"{final['GP'].mean():.3f} (means)",
    agree=bool(final["grid"].mean() >= max(final["random"].mean(), final["GP"].mean()) - 0.005),
    explanation=(
        "a grid is exhaustive over its own points, not over the range: 3 values per "
        "hyperparameter leave the continuous lr between them untried, and the budget grows as the "
        "product of the value counts"
    ),
)
lesson.textbook(
    "002 §3.1 超参数优化（贝叶斯优化）",
    "贝叶斯优化：利用贝叶斯定理，根据先前的评估结果，选择更有希望的超参数组合进行评估，从而更高效地找到最佳组合",
    "Bayesian optimisation picks more promising trials from past results, finding the best faster",
    f"mean val acc of trials {n_startup + 1}–{budget}: GP {np.mean(gp_after_startup):.3f}, random "
    f"{np.mean(rnd_after_startup):.3f}; best after {budget}: GP {final['GP'].mean():.3f}, random "
    f"{final['random'].mean():.3f}",
    agree=bool(gp_vs_rnd > 0 and final["GP"].mean() >= final["random"].mean()),
    explanation=(
        f"its trials after start-up score {gp_vs_rnd:+.3f} against random's on average, but at "
        f"this budget its best is not higher than random search's"
        + (
            f"; it repeated configurations (distinct per seed: {gp_distinct} of {budget})"
            if min(gp_distinct) < budget
            else ""
        )
    ),
)

n_grid = math.prod(map(len, grid_space.values()))
lesson.textbook(
    "004B §3.1(5) 超参数选择策略（网格搜索）",
    "网格搜索：在给定的超参数范围内，逐一尝试所有可能的组合，选择性能最佳的组合",
    "grid search tries every possible combination in the given ranges and keeps the best",
    f"the grid has {n_grid} combinations (the product of {[len(v) for v in grid_space.values()]}); "
    f"{budget} trials tried {grid_distinct} distinct ones per seed; its best {final['grid'].mean():.3f}, "
    f"random {final['random'].mean():.3f}, GP {final['GP'].mean():.3f}",
    agree=bool(
        min(grid_distinct) == n_grid
        and final["grid"].mean() >= max(final["random"].mean(), final["GP"].mean()) - 0.005
    ),
    explanation=(
        "“all possible combinations” of continuous ranges are infinitely many: the grid tries only "
        f"its {n_grid} points (and at most {budget} of them in the budget), so points between its "
        "values, which random and GP search reach, are never tried"
    ),
)
rnd_minus_grid = final["random"] - final["grid"]
lesson.textbook(
    "004B §3.1(5) 超参数选择策略（随机搜索）",
    "随机搜索：随机选择超参数组合进行尝试，通过统计方法评估超参数的性能，选择最佳组合",
    "random search tries random combinations and keeps the best",
    f"best after {budget}: random {final['random'].mean():.3f}, grid {final['grid'].mean():.3f}; "
    f"random ≥ grid in {int(np.sum(rnd_minus_grid >= 0))} of {len(seeds)} seeds; "
    f"{budget} distinct learning rates against the grid's {len(grid_space['lr'])}",
    agree=bool(final["random"].mean() >= final["grid"].mean() - 0.005),
    explanation="at this budget random search kept a worse best than the grid",
)
gp_gain = np.array(gp_after_startup) - np.array(rnd_after_startup)
lesson.check(
    "after start-up the GP's trials score higher than random search's on average over the seeds",
    bool(gp_gain.mean() > 0),
    gain=gp_gain,
)
lesson.textbook(
    "004B §3.1(5) 超参数选择策略（贝叶斯优化）",
    "贝叶斯优化：基于贝叶斯统计模型，通过历史实验数据预测超参数的性能，选择优化方向",
    "Bayesian optimisation predicts performance from past trials and chooses where to go",
    f"after {n_startup} start-up trials the GP's trials score {gp_gain.mean():+.3f} against "
    f"random's trials at the same positions (per seed {np.round(gp_gain, 3).tolist()})",
    agree=bool(np.sum(gp_gain > 0) > len(seeds) / 2),
    explanation=(
        f"the GP's trials beat random's in {int(np.sum(gp_gain > 0))} of {len(seeds)} seeds only; "
        f"the mean gain is {gp_gain.mean():+.3f}"
    ),
)

# %% [markdown]
# ## 3. Log-scale vs linear ranges · 对数刻度与线性刻度
#
# **问题 Question:** 学习率范围 [1e-4, 1] 按线性均匀采样会怎样？ / What happens when the learning rate
# range [1e-4, 1] is sampled uniformly on a linear scale?
#
# Random search, the same budget and seeds, with `suggest_float("lr", 1e-4, 1.0, log=False)`.

# %%
lin_final, lin_small, log_small = [], [], []
for s in lesson.progress(seeds, "linear lr"):
    study = search.create_study(
        direction="maximize", sampler=search.samplers.RandomSampler(seed=s), pruner=no_pruning
    )
    study.optimize(lambda t: objective(t, lr_log=False), n_trials=budget)
    lin_final.append(best_so_far(study)[-1])
    lin_small.append(np.mean([t.params["lr"] < 0.01 for t in study.trials]))
    # the log-scale lr draws of section 2's random search, re-drawn from the same seed
    ls = search.create_study(direction="maximize", sampler=search.samplers.RandomSampler(seed=s))
    ls.optimize(lambda t: t.suggest_float("lr", 1e-4, 1.0, log=True), n_trials=budget)
    log_small.append(np.mean([t.params["lr"] < 0.01 for t in ls.trials]))
lin_final = np.array(lin_final)
lesson.print_table(
    [
        ["log", np.mean(log_small), final["random"].mean()],
        ["linear", np.mean(lin_small), lin_final.mean()],
    ],
    ["lr scale", "fraction of trials with lr < 0.01", f"best val acc after {budget}"],
    "random search, lr ∈ [1e-4, 1]",
)
lesson.result(
    "linear_lr", {"best": lin_final, "small_fraction": lin_small, "log_small_fraction": log_small}
)
lesson.check(
    "a linear range spends < 10% of trials below lr 0.01 (its share of the interval is 1%); "
    "log-scale spends about half (2 of 4 decades)",
    np.mean(lin_small) < 0.1 and 0.25 < np.mean(log_small) < 0.75,
    linear=np.mean(lin_small),
    log=np.mean(log_small),
)

# %% [markdown]
# ## 4. Scoring by a validation split vs cross-validation · 验证集评分与交叉验证评分
#
# **问题 Question:** 用交叉验证给候选配置打分，比单一验证集挑得更准吗？ / Does scoring the candidates by
# cross-validation pick better than a single validation split?
#
# The first trials of section 2's random search (seed 0) are re-scored by 3-fold stratified CV on the
# 1400 training + validation images, and every candidate's test accuracy (trained on all 1400) is
# measured. Which score ranks the candidates as the test set does, and which picks the better one?

# %%
n_cand = lesson.pick(10, 6)
rs = search.create_study(
    direction="maximize", sampler=search.samplers.RandomSampler(seed=0), pruner=no_pruning
)
rs.optimize(objective, n_trials=n_cand)
X_dev, y_dev = X_all[:1400], y_all[:1400]
cv_scores, val_scores, test_scores = [], [], []
for t in rs.trials:
    p = t.params
    val_scores.append(t.value)
    folds = StratifiedKFold(3, shuffle=True, random_state=0).split(X_dev, y_dev)
    cv_scores.append(
        np.mean(
            [
                train_and_score(
                    p["lr"], p["width"], p["weight_decay"], X_dev[a], y_dev[a], X_dev[b], y_dev[b]
                )
                for a, b in folds
            ]
        )
    )
    test_scores.append(
        train_and_score(p["lr"], p["width"], p["weight_decay"], X_dev, y_dev, X_te, y_te)
    )
cv_scores, val_scores, test_scores = map(np.array, (cv_scores, val_scores, test_scores))


def spearman(a, b) -> float:
    ra, rb = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1])


rho_val, rho_cv = spearman(val_scores, test_scores), spearman(cv_scores, test_scores)
pick_val, pick_cv = int(np.argmax(val_scores)), int(np.argmax(cv_scores))
lesson.print_table(
    [
        [
            i,
            t.params["lr"],
            t.params["width"],
            t.params["weight_decay"],
            val_scores[i],
            cv_scores[i],
            test_scores[i],
        ]
        for i, t in enumerate(rs.trials)
    ],
    ["trial", "lr", "width", "weight_decay", "val split", "3-fold CV", "test"],
    f"{n_cand} random candidates; rank correlation with test: val {rho_val:.2f}, CV {rho_cv:.2f}",
)
lesson.result(
    "cv_vs_val",
    {"val": val_scores, "cv": cv_scores, "test": test_scores, "rho_val": rho_val, "rho_cv": rho_cv},
)
lesson.check(
    "both scores rank the candidates like the test set (rank correlation > 0.5)",
    rho_val > 0.5 and rho_cv > 0.5,
    rho_val=rho_val,
    rho_cv=rho_cv,
)
lesson.textbook(
    "004B §3.1(6) 实践中的超参数调整",
    "交叉验证：通过交叉验证方法，评估不同超参数组合的性能，选择最佳组合",
    "score hyperparameter combinations by cross-validation",
    f"rank correlation with test: CV {rho_cv:.2f}, single split {rho_val:.2f}; test acc of the pick: "
    f"CV {test_scores[pick_cv]:.3f}, split {test_scores[pick_val]:.3f} (CV costs 3× the training)",
    agree=bool(rho_cv >= rho_val and test_scores[pick_cv] >= test_scores[pick_val]),
    explanation=(
        f"cross-validation ranked the candidates {'closer to' if rho_cv >= rho_val else 'less like'}"
        f" the test set ({rho_cv:.2f} vs {rho_val:.2f}), but its pick tested "
        f"{test_scores[pick_cv] - test_scores[pick_val]:+.3f} against the split's pick"
    ),
)

# %% [markdown]
# ## 5. Pruning: the same search for less work · 剪枝：更少的工作量完成同样的搜索
#
# **问题 Question:** 提前终止没有希望的试验能省多少训练？找到的最好结果变差了吗？ / How much training does
# stopping unpromising trials save, and does the best result get worse?
#
# Random search (the same seeds and budget) reports the validation accuracy after every epoch;
# `MedianPruner(n_startup_trials=3)` stops a trial whose value is below the median of earlier trials
# at the same epoch; `SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)` keeps about a third
# at each rung. Work is counted in epochs trained.

# %%
prune_rows = {}
for name, make in [
    ("no pruning", lambda: search.pruners.NopPruner()),
    ("MedianPruner", lambda: search.pruners.MedianPruner(n_startup_trials=3)),
    (
        "SuccessiveHalving",
        lambda: search.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3),
    ),
]:
    work, best, pruned = [], [], []
    for s in seeds:
        epochs_trained[0] = 0
        st = search.create_study(
            direction="maximize", sampler=search.samplers.RandomSampler(seed=s), pruner=make()
        )
        st.optimize(objective, n_trials=budget)
        work.append(epochs_trained[0])
        best.append(st.best_value)
        pruned.append(sum(t.state == search.TrialState.PRUNED for t in st.trials))
    prune_rows[name] = {
        "epochs": np.array(work),
        "best": np.array(best),
        "pruned": np.array(pruned),
    }
lesson.print_table(
    [
        [k, v["epochs"].mean(), v["pruned"].mean(), v["best"].mean(), v["best"].min()]
        for k, v in prune_rows.items()
    ],
    ["pruner", "epochs trained", "trials pruned", "best val acc", "worst seed"],
    f"random search, {budget} trials × up to {epochs} epochs, mean over {len(seeds)} seeds",
)
lesson.result("pruning", prune_rows)
full_work = budget * epochs
for name in ("MedianPruner", "SuccessiveHalving"):
    v, base = prune_rows[name], prune_rows["no pruning"]
    lesson.check(
        f"{name} saves ≥ 25% of the epochs and its best is within 0.02 of the unpruned best, "
        "every seed",
        bool(np.all(v["epochs"] <= 0.75 * full_work) and np.all(v["best"] >= base["best"] - 0.02)),
        epochs=v["epochs"],
        best=v["best"],
        unpruned=base["best"],
    )
lesson.check(
    "without pruning every trial trains all its epochs",
    bool(np.all(prune_rows["no pruning"]["epochs"] == full_work)),
    epochs=prune_rows["no pruning"]["epochs"],
)

rule = train_and_score(1e-3, 64, 1e-2, X_tr, y_tr, X_va, y_va)  # AdamW's defaults, a middle width
tool_best = float(np.mean(final["GP"]))
lesson.result("rule_of_thumb_val_acc", rule)
lesson.textbook(
    "002 §9.1 如何选择合适的超参数？",
    "可以参考一些经验法则或使用超参数优化工具",
    "use rules of thumb or a hyperparameter optimisation tool",
    f"rule of thumb (AdamW defaults lr 1e-3, weight_decay 1e-2, width 64): {rule:.3f}; the GP "
    f"search's best after {budget} trials: {tool_best:.3f}",
    agree=bool(tool_best >= rule),
    explanation="the tool found nothing better than the rule of thumb",
)
sh = prune_rows["SuccessiveHalving"]
lesson.textbook(
    "004B §8.1 未来发展趋势（1. 自动化性能调优）",
    "这些技术通过智能算法自动选择最优的超参数组合，减轻了研究人员的工作负担，提高了调优效率",
    "automatic tuning picks the best combination and makes tuning more efficient",
    f"successive halving: {sh['epochs'].mean():.3g} of {full_work} epochs, best "
    f"{sh['best'].mean():.3f} vs {prune_rows['no pruning']['best'].mean():.3f} unpruned",
    agree=bool(
        sh["epochs"].mean() < full_work
        and sh["best"].mean() >= prune_rows["no pruning"]["best"].mean() - 0.02
    ),
    explanation="pruning cost more than it saved here",
)
try:
    import optuna  # noqa: F401

    have_optuna = True
except ImportError:
    have_optuna = False
lesson.result("optuna_installed", have_optuna)
print(
    "004B §7.2 “Optuna：一个自动化超参数优化库，支持多种优化算法” — "
    + (
        "optuna is installed: its TPE is the reference curve above"
        if have_optuna
        else "not checked: optuna is not installed here; minidl.search runs the same objective "
        "with Optuna's interface (GridSampler, RandomSampler, GPSampler, two pruners)"
    )
)

# %% [markdown]
# ## 6. Figures · 图

# %%
fig, ax = plt.subplots(1, 3, figsize=(15, 4.2))
trials_axis = np.arange(1, budget + 1)
for name, c in curves.items():
    ax[0].plot(trials_axis, np.median(c, axis=0), marker=".", label=f"{name} (median)")
    ax[0].fill_between(trials_axis, c.min(axis=0), c.max(axis=0), alpha=0.15)
ax[0].set(
    title="best so far (band: min–max over seeds)",
    xlabel="trial",
    ylabel="val acc",
    ylim=(0.5, 1.0),
)
ax[0].legend(fontsize=8)
ax[1].scatter(val_scores, test_scores, label="val split")
ax[1].scatter(cv_scores, test_scores, marker="s", label="3-fold CV")
ax[1].set(title="candidate scores vs test accuracy", xlabel="score", ylabel="test acc")
ax[1].legend(fontsize=8)
names = list(prune_rows)
ax[2].bar(names, [prune_rows[k]["epochs"].mean() for k in names])
for i, k in enumerate(names):
    ax[2].text(
        i,
        prune_rows[k]["epochs"].mean(),
        f"best {prune_rows[k]['best'].mean():.3f}",
        ha="center",
        va="bottom",
        fontsize=8,
    )
ax[2].set(title="work per search (epochs trained)", ylabel="epochs")
fig.tight_layout()
lesson.savefig(fig, "hyperparameter_search")

# %% [markdown]
# ## What the numbers say · 结论

# %%
lesson.conclude(
    f"{budget} 次试验后的最佳验证准确率（均值）：网格 {final['grid'].mean():.3f}，随机 {final['random'].mean():.3f}，"
    f"GP {final['GP'].mean():.3f}；启动后 GP 试验的平均分比随机高 {gp_vs_rnd:+.3f}。",
    f"Best val acc after {budget} trials (mean): grid {final['grid'].mean():.3f}, random "
    f"{final['random'].mean():.3f}, GP {final['GP'].mean():.3f}; after start-up the GP's trials "
    f"score {gp_vs_rnd:+.3f} above random's on average.",
)
lesson.conclude(
    f"线性刻度的学习率范围只有 {np.mean(lin_small):.0%} 的试验落在 lr < 0.01，对数刻度约 {np.mean(log_small):.0%}。",
    f"A linear lr range puts {np.mean(lin_small):.0%} of its trials below lr 0.01, a log-scale one "
    f"{np.mean(log_small):.0%}.",
)
saved = {
    k: 1 - prune_rows[k]["epochs"].mean() / full_work for k in ("MedianPruner", "SuccessiveHalving")
}
lesson.conclude(
    f"剪枝节省了 {saved['MedianPruner']:.0%}（中位数剪枝）和 {saved['SuccessiveHalving']:.0%}（逐次减半）的训练轮次，"
    "找到的最好结果相差不到 0.02；交叉验证与测试集的排序相关为 "
    f"{rho_cv:.2f}（单一验证集 {rho_val:.2f}），代价是 3 倍的训练。",
    f"Pruning saved {saved['MedianPruner']:.0%} (median) and {saved['SuccessiveHalving']:.0%} "
    "(successive halving) of the epochs with a best within 0.02; cross-validation's rank "
    f"correlation with the test set is {rho_cv:.2f} (single split {rho_val:.2f}), at 3× the training.",
)

# %%
lesson.finish()
