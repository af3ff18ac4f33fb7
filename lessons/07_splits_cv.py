# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Lesson 7 · Splits and cross-validation · 数据划分与交叉验证
#
# **Textbook sections:** 004B §5.2–5.8 “项目实践” (数据集准备, 构建和训练模型, 性能评估, 性能调优, 运行结果展示,
# 代码解读与分析), §5.9 “可视化”, §2.3 “模型调优的核心流程” (5. 模型验证, 6. 模型评估), §3.4 “模型训练与验证”
# (留出法, 交叉验证); 004A §3.4(2) “验证过程” (验证集划分, 模型选择); 002 §9.2 “如何判断模型是否过拟合？”
#
# **You will see:** the textbook's Iris program translated line for line to minidl's `Trainer.fit` and
# run on the real Iris data from scikit-learn, every number of its printed log and results checked
# against what can be computed; what Keras's `validation_split` (the last fraction, taken before any
# shuffling) does to data stored in class order; k-fold and stratified k-fold on wine; and how much
# choosing a model by its test score flatters that score, measured over many random splits.
#
# **Time:** 4.5 s full, 3.5 s fast (after imports), measured on
# Intel(R) Xeon(R) Processor, 2 cores; `python -m lessons list` prints your last measured times.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split
from sklearn.preprocessing import StandardScaler

try:
    from _course import Lesson  # run as a script, or as a notebook opened in lessons/
except ModuleNotFoundError:  # a notebook opened anywhere else (minidl installed: pip install -e .)
    from lessons._course import Lesson

import minidl as md
from minidl import nn
from minidl.train import Trainer, plot_history

lesson = Lesson("07_splits_cv", "Splits and cross-validation", "数据划分与交叉验证")

# %% [markdown]
# ## 1. The text's Iris program, line for line · 逐行翻译教材的 Iris 程序
#
# **问题 Question:** 教材的程序每一行做什么？在真实的 Iris 上运行会得到什么？ / What does each line of
# the text's program do, and what does it give on the real Iris data?
#
# | 004B, Keras | minidl | what it does |
# |---|---|---|
# | `iris_data = tf.keras.datasets.irises` | `load_iris()` (scikit-learn) | Keras has no `irises` data set; scikit-learn ships Iris |
# | `(train_images, train_labels), (test_images, test_labels) = iris_data.load_data()` | a fixed split: every 5th row is a test row | the rows stay in the stored order, class by class (counted below) |
# | `train_images = train_images.astype('float32') / 255` | the same NumPy line | divides lengths in cm by 255 (lesson 6) |
# | `train_labels = tf.keras.utils.to_categorical(train_labels, num_classes=3)` | `np.eye(3)[train_labels]` | one-hot rows; minidl's cross-entropy takes them as class-probability targets |
# | `Flatten(input_shape=(150, 150))` | `nn.Flatten()` | an Iris row has 4 numbers, not 150 × 150 (checked below) |
# | `Dense(128, activation='relu')`, `Dense(64, activation='relu')` | `nn.Linear(4, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU()` | two hidden layers |
# | `Dense(3, activation='softmax')` + `loss='categorical_crossentropy'` | `nn.Linear(64, 3)` + `nn.CrossEntropyLoss()` | softmax then cross-entropy = cross-entropy on logits (stable) |
# | `model.compile(optimizer='adam', ..., metrics=['accuracy'])` | `Trainer(model, loss, md.optim.Adam(model.parameters()), metrics=["accuracy"])` | Adam's default lr is 0.001 in both |
# | `history = model.fit(..., epochs=20, batch_size=32, validation_split=0.2)` | `trainer.fit(...)`, same arguments | Keras's semantics: the last 20% of the rows validate |
# | `test_loss, test_acc = model.evaluate(test_images, test_labels)` | `trainer.evaluate(...)` | [loss, accuracy] on the test rows |

# %%
X_iris, y_iris = load_iris(return_X_y=True)
is_test = np.arange(len(X_iris)) % 5 == 4
seeds = list(range(lesson.pick(5, 3)))


def iris_program(seed: int, epochs: int, x_train, y_train, x_test, y_test, width=(128, 64)):
    """The text's program in minidl; returns (History, [test_loss, test_acc], model)."""
    md.manual_seed(seed)
    model = nn.Sequential(
        nn.Flatten(),
        nn.Linear(x_train.shape[1], width[0]),
        nn.ReLU(),
        nn.Linear(width[0], width[1]),
        nn.ReLU(),
        nn.Linear(width[1], 3),
    )
    trainer = Trainer(
        model, nn.CrossEntropyLoss(), md.optim.Adam(model.parameters()), metrics=["accuracy"]
    )
    history = trainer.fit(
        x_train, y_train, epochs=epochs, batch_size=32, validation_split=0.2, verbose=0
    )
    return history, trainer.evaluate(x_test, y_test, verbose=0), model


# the text's lines, with Iris from scikit-learn in its stored (class) order
train_images, train_labels = X_iris[~is_test], y_iris[~is_test]
test_images, test_labels = X_iris[is_test], y_iris[is_test]
train_images = train_images.astype("float32") / 255
test_images = test_images.astype("float32") / 255
train_labels_int = train_labels
train_labels = np.eye(3)[train_labels]  # to_categorical(train_labels, num_classes=3)
test_labels = np.eye(3)[test_labels]

runs20 = [iris_program(s, 20, train_images, train_labels, test_images, test_labels) for s in seeds]
runs50 = [iris_program(s, 50, train_images, train_labels, test_images, test_labels) for s in seeds]
h0 = runs50[0][0].history
n_fit = len(train_images) - math.ceil(len(train_images) * 0.2)  # Keras keeps this many for training
n_val = len(train_images) - n_fit
steps = math.ceil(n_fit / 32)
for e in (0, len(h0["loss"]) - 1):
    print(
        f"Epoch {e + 1}/50  {steps}/{steps} - loss: {h0['loss'][e]:.4f} - accuracy: "
        f"{h0['accuracy'][e]:.4f} - val_loss: {h0['val_loss'][e]:.4f} - val_accuracy: "
        f"{h0['val_accuracy'][e]:.4f}"
    )
test20 = np.array([r[1][1] for r in runs20])
test50 = np.array([r[1][1] for r in runs50])
loss1 = np.array([r[0].history["loss"][0] for r in runs50])
val_acc50 = np.array([r[0].history["val_accuracy"][-1] for r in runs50])
lesson.print_table(
    [
        ["epochs=20", test20.mean(), test20.min(), test20.max()],
        ["epochs=50 (§5.5(2))", test50.mean(), test50.min(), test50.max()],
    ],
    ["the text's program", "test accuracy (mean)", "min", "max"],
    f"Iris, stored order, inputs ÷255, {len(seeds)} seeds",
)
lesson.result("iris_test_acc", {"epochs20": test20, "epochs50": test50})
lesson.result("iris_epoch1_loss", loss1)
lesson.textbook(
    "004B §5.2 数据集准备",
    "鸢尾花数据集…包含三种不同鸢尾花的萼片和花瓣的长度和宽度作为特征，共150个样本",
    "Iris: 3 species, sepal and petal length and width as features, 150 samples",
    f"{X_iris.shape[0]} samples, {X_iris.shape[1]} features, {len(np.unique(y_iris))} classes",
    agree=X_iris.shape == (150, 4) and len(np.unique(y_iris)) == 3,
    explanation="scikit-learn's Iris differs from the description",
)
n_params_text = (150 * 150 * 128 + 128) + (128 * 64 + 64) + (64 * 3 + 3)
n_params_iris = sum(p.data.size for p in runs50[0][2].parameters())
lesson.textbook(
    "004B §5.3 构建和训练模型",
    "tf.keras.layers.Flatten(input_shape=(150, 150))",
    "the input layer takes samples of shape 150 × 150",
    f"an Iris sample has shape {X_iris.shape[1:]}; with (150, 150) the model would have "
    f"{n_params_text:,} parameters, on Iris it has {n_params_iris:,}",
    agree=X_iris.shape[1:] == (150, 150),
    explanation="input_shape must be (4,): Keras would refuse Iris rows for a (150, 150) input",
)
hidden = [m for m in runs50[0][2] if isinstance(m, nn.Linear)]
lesson.textbook(
    "004B §5.3 构建和训练模型",
    "定义一个包含两个隐藏层和三个神经元的模型",
    "two hidden layers and three output neurons",
    f"{len(hidden) - 1} hidden Linear layers ({hidden[0].out_features}, {hidden[1].out_features}) "
    f"and {hidden[-1].out_features} outputs",
    agree=len(hidden) - 1 == 2 and hidden[-1].out_features == 3,
    explanation="the model's layers differ from the description",
)

runs_wide = [
    iris_program(s, 50, train_images, train_labels, test_images, test_labels, width=(256, 128))
    for s in seeds
]
test_wide = np.array([r[1][1] for r in runs_wide])
lesson.result("iris_test_acc_wide", test_wide)
lesson.textbook(
    "004B §5.5(4) 模型结构优化",
    "模型结构优化：调整模型结构，增加或减少隐藏层节点数（Dense(256), Dense(128)）… 通过调整学习率、增加训练轮次、数据增强和模型结构优化，模型的准确率得到了显著提升",
    "the wider model (256 and 128 hidden units) raises the accuracy significantly",
    f"test accuracy after 50 epochs: {test50.mean():.3f} with (128, 64), {test_wide.mean():.3f} with "
    "(256, 128)",
    agree=bool(test_wide.mean() > test50.mean() + 0.05),  # "significant": 5 points or more
    explanation=(
        "width is not what holds this program back: its inputs (÷255) and its validation split "
        "are (section 2)"
    ),
)

# %% [markdown]
# Now the printed log of §5.6 (“Epoch 1/50 60/60 … loss: 1.6614 – accuracy: 0.6667 – val_loss: 1.4176 –
# val_accuracy: 0.7333 … Epoch 50/50 … loss: 0.6831 – accuracy: 0.9067 – val_loss: 0.7417 –
# val_accuracy: 0.9067”) and the results of §5.8, each against what Iris and the program allow.

# %%
lesson.textbook(
    "004B §5.6 运行结果展示（训练日志）",
    "Epoch 1/50  60/60 [==============================]",
    f"batches per epoch ({n_fit} training rows after validation_split=0.2, batches of 32)",
    steps,
    claimed=60,
    tol=0,
    explanation=(
        f"60 batches of 32 need at least {59 * 32 + 1} rows; Iris has {len(X_iris)} in all"
    ),
)
lesson.textbook(
    "004B §5.6 运行结果展示（训练日志）",
    "Epoch 1/50 … loss: 1.6614",
    "the first epoch's training loss",
    float(loss1.mean()),
    claimed=1.6614,
    tol=0.05,
    explanation=(
        f"inputs ÷255 are nearly 0, so the first logits are nearly equal and the loss starts at "
        f"≈ ln 3 = {math.log(3):.4f} (measured {loss1.mean():.4f} over {len(seeds)} seeds)"
    ),
)
grid = np.arange(n_val + 1) / n_val
nearest = float(grid[np.argmin(np.abs(grid - 0.9067))])
lesson.textbook(
    "004B §5.6 运行结果展示（训练日志）",
    "Epoch 50/50 … val_accuracy: 0.9067",
    "the last epoch's validation accuracy",
    nearest,
    claimed=0.9067,
    tol=5e-5,
    explanation=(
        f"with {n_val} validation rows an accuracy is k/{n_val}; the nearest to 0.9067 is "
        f"{nearest:.4f} (0.9067 = 136/150 needs 150 validation rows). Our runs: "
        f"{val_acc50.mean():.4f}"
    ),
)
lesson.textbook(
    "004B §5.8 运行结果展示",
    "测试集准确率：90.67%；测试集损失函数值：0.7417",
    "the test-set accuracy and loss",
    f"these are the log's last val_accuracy (0.9067) and val_loss (0.7417); our program's test "
    f"accuracy: {test50.mean():.4f}, its last val_accuracy: {val_acc50.mean():.4f}",
    agree=False,
    explanation=(
        "the “test” results repeat the validation numbers of the last epoch; evaluate() on the "
        "test rows gives its own numbers"
    ),
)
lesson.textbook(
    "004B §5.6 运行结果展示",
    "经过多次性能调优，我们最终得到了一个在测试集上准确率达到90%以上的模型",
    "after tuning, the model's test accuracy is above 90%",
    float(test50.mean()),
    claimed=0.9,
    tol=0.0,
    agree=bool(test50.mean() >= 0.9),
    explanation=(
        f"the program as written reaches {test50.mean():.3f} on the test rows (÷255 inputs, the "
        "tail validation split of ordered data); section 2 shows why and what fixes it"
    ),
)
lesson.textbook(
    "004B §5.5(2) 增加训练轮次",
    "增加训练轮次可以让模型有更多时间学习数据（epochs=50）",
    "more epochs (50 instead of 20) give the model more time to learn",
    f"test accuracy {test20.mean():.3f} after 20 epochs, {test50.mean():.3f} after 50",
    agree=bool(test50.mean() > test20.mean() + 1 / len(test_images) / 2),  # half a test row
    explanation="more epochs did not help the program as written",
)

# %% [markdown]
# ## 2. What `validation_split` does to ordered data · validation_split 与有序数据
#
# **问题 Question:** Keras 的 validation_split 取最后 20%、且在打乱之前——对按类别排好的 Iris 意味着什么？
# / Keras takes the last 20% before shuffling: what does that mean for Iris stored class by class?
#
# `fit` shuffles the training rows every epoch, but only *after* cutting off the validation rows, and
# it cuts the last ones. Iris is stored class by class, so the validation rows are all of one class —
# a class the training part has fewer of.

# %%
fit_part, val_part = train_labels_int[:n_fit], train_labels_int[n_fit:]
counts = [
    [name, *np.bincount(part, minlength=3)]
    for name, part in [("fit's training rows", fit_part), ("validation rows (last 20%)", val_part)]
]
lesson.print_table(counts, ["part", "setosa", "versicolor", "virginica"], "Where the rows go")
val_acc_all = np.array([r[0].history["val_accuracy"] for r in runs50])
lesson.check(
    "the validation rows are all virginica",
    bool(np.all(val_part == 2)),
    counts=np.bincount(val_part, minlength=3),
)
lesson.check(
    "so the validation accuracy says little: 0 or 1 at every epoch of every seed (one class)",
    bool(np.all((val_acc_all == 0) | (val_acc_all == 1))),
    final=val_acc_all[:, -1],
)

# %% [markdown]
# The repairs: shuffle once before `fit` (or pass `validation_data`), and scale by the training rows'
# mean and standard deviation instead of ÷255 (lesson 6). Same program otherwise.

# %%
order = np.random.default_rng(0).permutation(len(train_images))
scaler = StandardScaler().fit(X_iris[~is_test])
fixed_x = scaler.transform(X_iris[~is_test])[order].astype("float32")
fixed_test = scaler.transform(X_iris[is_test]).astype("float32")
fixed = [iris_program(s, 50, fixed_x, train_labels[order], fixed_test, test_labels) for s in seeds]
fixed_test_acc = np.array([r[1][1] for r in fixed])
fixed_val = np.array([r[0].history["val_accuracy"][-1] for r in fixed])
lesson.print_table(
    [
        ["as written", val_acc50.mean(), test50.mean(), test50.min()],
        ["shuffled + z-score", fixed_val.mean(), fixed_test_acc.mean(), fixed_test_acc.min()],
    ],
    ["Iris program, 50 epochs", "last val acc", "test acc (mean)", "worst seed"],
)
lesson.result("iris_fixed_test_acc", fixed_test_acc)
lesson.check(
    "shuffled and standardized, the same program exceeds 90% test accuracy in every seed",
    bool(np.all(fixed_test_acc > 0.9)),
    fixed=fixed_test_acc,
    as_written=test50,
)

# %% [markdown]
# ## 3. k-fold and stratified k-fold on wine · k 折与分层 k 折
#
# **问题 Question:** 交叉验证的各折要怎样分？ / How should the folds of a cross-validation be cut?
#
# 004B §3.4(2): cross-validation splits the data into several subsets, trains and validates on each
# in turn and averages the scores. Wine is also stored class by class. `KFold(3)` without shuffling
# cuts consecutive blocks; `StratifiedKFold(3, shuffle=True)` keeps each fold's class mix equal to the
# whole set's. A softmax regression (13 → 3) trained by `Trainer.fit`, z-score fitted on each training
# fold only.

# %%
X_wine, y_wine = load_wine(return_X_y=True)
cv_epochs = lesson.pick(40, 20)


def softmax_regression_score(xa, ya, xb, yb, seed: int = 0) -> float:
    """Test accuracy of a 13 → 3 softmax regression, scaler fitted on the training rows."""
    sc = StandardScaler().fit(xa)
    md.manual_seed(seed)
    model = nn.Linear(xa.shape[1], 3)
    trainer = Trainer(
        model,
        nn.CrossEntropyLoss(),
        md.optim.Adam(model.parameters(), lr=0.05),
        metrics=["accuracy"],
    )
    trainer.fit(sc.transform(xa).astype("float32"), ya, epochs=cv_epochs, batch_size=32, verbose=0)
    return trainer.evaluate(sc.transform(xb).astype("float32"), yb, verbose=0)[1]


cv = {}
for name, splitter in [
    ("KFold(3), no shuffle", KFold(3)),
    ("StratifiedKFold(3, shuffle)", StratifiedKFold(3, shuffle=True, random_state=0)),
]:
    folds = list(splitter.split(X_wine, y_wine))
    scores = [
        softmax_regression_score(X_wine[a], y_wine[a], X_wine[b], y_wine[b]) for a, b in folds
    ]
    missing = [int(np.sum(np.bincount(y_wine[a], minlength=3) == 0)) for a, _ in folds]
    mix = [np.bincount(y_wine[b], minlength=3) for _, b in folds]
    cv[name] = {"scores": np.array(scores), "missing": missing, "mix": mix}
    lesson.print_table(
        [[k + 1, mix[k].tolist(), missing[k], scores[k]] for k in range(len(folds))],
        ["fold", "test-fold classes", "classes absent from training", "accuracy"],
        f"{name}: mean {np.mean(scores):.3f} ± {np.std(scores):.3f}",
    )
lesson.result("wine_cv", {k: v["scores"] for k, v in cv.items()})
strat = cv["StratifiedKFold(3, shuffle)"]
plain = cv["KFold(3), no shuffle"]
overall = np.bincount(y_wine) / len(y_wine)
lesson.check(
    "stratified folds: every fold's class counts within 1.5 rows of the overall proportions",
    all(np.all(np.abs(m - overall * m.sum()) < 1.5) for m in strat["mix"]),
    overall=overall,
)
lesson.check(
    "unshuffled KFold on class-ordered wine: some folds train without a whole class and score worse",
    max(plain["missing"]) >= 1 and plain["scores"].mean() < strat["scores"].mean() - 0.1,
    plain=plain["scores"].mean(),
    stratified=strat["scores"].mean(),
)
lesson.textbook(
    "004B §3.4(2) 验证方法（交叉验证）",
    "交叉验证（Cross-Validation）：将数据集划分为多个子集，分别用于训练和验证，通过多次迭代计算平均性能",
    "k-fold cross-validation: train and validate on each split in turn, report the average",
    f"stratified 3-fold on wine: {strat['scores'].mean():.3f} ± {strat['scores'].std():.3f}; the same "
    f"procedure with unshuffled folds: {plain['scores'].mean():.3f}",
    agree=bool(strat["scores"].mean() > 0.9),
    explanation="the averaged score did not reflect a working model",
)

# %% [markdown]
# ## 4. Choosing by the test score flatters it · 用测试集挑模型的乐观偏差
#
# **问题 Question:** 如果用测试集的分数来挑模型，这个分数会高估多少？ / If the test score picks the
# model, how much does it overstate that model's accuracy?
#
# 004A §3.4(2) and 004B §2.3: select on the validation set, evaluate on the test set once at the end.
# Why: on breast_cancer, train 12 candidate logistic regressions (each on a random 8 of the 30
# features), pick the one with the best score on a small test set (60 rows), and compare that score
# with the same model's score on fresh rows it was not chosen on. Repeated over many random splits.

# %%
X_bc, y_bc = load_breast_cancer(return_X_y=True)
repeats = lesson.pick(30, 12)
n_candidates = 12
optimism, picked_test, picked_fresh = [], [], []
for r in lesson.progress(range(repeats), "splits"):
    rng = np.random.default_rng(r)
    xa, xrest, ya, yrest = train_test_split(X_bc, y_bc, train_size=250, random_state=r)
    xt, xf, yt, yf = xrest[:60], xrest[60:], yrest[:60], yrest[60:]
    best_score, best = -1.0, None
    for c in range(n_candidates):
        cols = rng.choice(30, 8, replace=False)
        sc = StandardScaler().fit(xa[:, cols])
        md.manual_seed(c)
        model = nn.Linear(8, 2)
        trainer = Trainer(
            model,
            nn.CrossEntropyLoss(),
            md.optim.Adam(model.parameters(), lr=0.1),
            metrics=["accuracy"],
        )
        trainer.fit(
            sc.transform(xa[:, cols]).astype("float32"),
            ya,
            epochs=lesson.pick(30, 15),
            batch_size=250,
            verbose=0,
        )
        score = trainer.evaluate(sc.transform(xt[:, cols]).astype("float32"), yt, verbose=0)[1]
        if score > best_score:
            fresh = trainer.evaluate(sc.transform(xf[:, cols]).astype("float32"), yf, verbose=0)[1]
            best_score, best = score, fresh
    picked_test.append(best_score)
    picked_fresh.append(best)
picked_test, picked_fresh = np.array(picked_test), np.array(picked_fresh)
optimism = picked_test - picked_fresh
lesson.print_table(
    [
        ["test score of the picked model", picked_test.mean()],
        ["its score on fresh rows", picked_fresh.mean()],
        ["optimism (mean)", optimism.mean()],
        ["splits where the test score was higher", float(np.mean(optimism > 0))],
    ],
    ["quantity", "value"],
    f"breast_cancer, best of {n_candidates} on 60 test rows, {repeats} splits",
)
lesson.result("selection_optimism", optimism)
lesson.check(
    "picking by the test score overstates it: mean optimism > 0 and positive on > 60% of splits",
    optimism.mean() > 0 and np.mean(optimism > 0) > 0.6,
    mean=optimism.mean(),
    fraction_positive=float(np.mean(optimism > 0)),
)
lesson.textbook(
    "004B §2.3 模型调优的核心流程（5. 模型验证 / 6. 模型评估）",
    "模型验证：使用验证数据集评估模型性能…模型评估：使用测试数据集对模型进行最终评估，确保模型在未知数据上具有较好的泛化能力",
    "choose with the validation set; the test set gives the final, unbiased estimate",
    f"a test set used for choosing overstates accuracy by {optimism.mean():.3f} on average "
    f"({np.mean(optimism > 0):.0%} of {repeats} splits)",
    agree=bool(optimism.mean() > 0),
    explanation="choosing on the test set did not bias its score here",
)

# %% [markdown]
# ## 5. Figures · 图

# %%
fig, ax = plt.subplots(1, 3, figsize=(15, 4.2))
for key, style in [("accuracy", "-"), ("val_accuracy", "--")]:
    ax[0].plot(np.arange(1, 51), h0[key], style, label=f"{key} (as written)")
fh = fixed[0][0].history
for key, style in [("accuracy", "-"), ("val_accuracy", "--")]:
    ax[0].plot(np.arange(1, 51), fh[key], style, label=f"{key} (shuffled + z-score)")
ax[0].set(title="Iris program: Model Accuracy (§5.9)", xlabel="Epochs", ylabel="Accuracy")
ax[0].legend(fontsize=7)
width = 0.35
k = np.arange(len(strat["scores"]))
ax[1].bar(k - width / 2, plain["scores"], width, label="KFold, no shuffle")
ax[1].bar(k + width / 2, strat["scores"], width, label="StratifiedKFold")
ax[1].set(title="wine: accuracy per fold", xlabel="fold", ylabel="accuracy", xticks=k)
ax[1].legend(fontsize=8)
ax[2].hist(optimism, bins=12)
ax[2].axvline(optimism.mean(), color="k", ls="--", label=f"mean {optimism.mean():+.3f}")
ax[2].set(title="test score − fresh score of the picked model", xlabel="optimism")
ax[2].legend()
fig.tight_layout()
lesson.savefig(fig, "splits_cv")

# %% [markdown]
# 004B §5.9 draws two plots from the History — training and validation accuracy, training and
# validation loss. `minidl.train.plot_history` draws the same panels (here for the shuffled,
# standardized run), with the best validation epoch marked.

# %%
lesson.savefig(plot_history(fixed[0][0], metrics=("accuracy", "loss")), "history_5_9")

# %% [markdown]
# ## What the numbers say · 结论

# %%
lesson.conclude(
    f"教材的 Iris 程序逐行翻译后在真实 Iris 上的测试准确率只有 {test50.mean():.3f}（不是“90%以上”）；它的日志不可能来自"
    f" Iris：每轮 {steps} 个批次而不是 60，首轮损失约 ln 3 = {math.log(3):.4f}，验证准确率只能是 k/{n_val}；"
    "“测试集”结果其实是最后一轮的验证结果。",
    f"The text's Iris program, translated line for line, scores {test50.mean():.3f} on Iris's test rows "
    f"(not “above 90%”); its log cannot come from Iris: {steps} batches per epoch, not 60; a first "
    f"loss near ln 3 = {math.log(3):.4f}; validation accuracies of the form k/{n_val}. Its “test” "
    "results are the last epoch's validation numbers.",
)
lesson.conclude(
    f"validation_split 取打乱前的最后 20%：按类别存放的 Iris 验证集全是 virginica，验证准确率只有 0 或 1；"
    f"先打乱并标准化，同一程序的测试准确率为 {fixed_test_acc.mean():.3f}。",
    f"validation_split takes the last 20% before shuffling: on class-ordered Iris the validation rows "
    f"are all virginica and val accuracy is 0 or 1; shuffled and standardized, the same program "
    f"scores {fixed_test_acc.mean():.3f}.",
)
lesson.conclude(
    f"有序数据上不打乱的 KFold 让某些折缺少整个类别（{plain['scores'].mean():.3f}），分层 k 折为 "
    f"{strat['scores'].mean():.3f}。",
    f"Unshuffled KFold on ordered data leaves whole classes out of training ({plain['scores'].mean():.3f}); "
    f"stratified k-fold gives {strat['scores'].mean():.3f}.",
)
lesson.conclude(
    f"用测试集挑模型会高估：平均高估 {optimism.mean():.3f}（{np.mean(optimism > 0):.0%} 的划分上为正）。"
    "测试集只在最后用一次。",
    f"Choosing by the test score overstates it by {optimism.mean():.3f} on average (positive on "
    f"{np.mean(optimism > 0):.0%} of splits). Use the test set once, at the end.",
)

# %%
lesson.finish()
