# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Lesson 15 · Data augmentation and robustness · 数据增强与鲁棒性
#
# **Textbook sections:** 002 §3.2 “数据增强”, §8.3 “鲁棒性”; 004A/B §3.2(3) “数据增强”, §6.1 “图像识别”;
# 004B §2.5(4) (鲁棒性), §5.5(3) “数据增强” (the ImageDataGenerator snippet)
#
# **You will see:** a small digits training set (150 images) trained with and without label-preserving
# augmentation (`RandomAffine` shift/rotation/scale, `GaussianNoise`) over seeds, scored on the clean
# validation images and on shifted/rotated ones; a label-breaking transform (horizontal flips of
# digits); accuracy under input noise; an FGSM sweep of ε against random noise of the same size; and
# the text's `ImageDataGenerator` snippet translated and run as written.
#
# **Time:** 5.7 s full, 1.6 s fast (after imports), measured on
# Intel(R) Xeon(R) Processor, 2 cores; `python -m lessons list` prints your last measured times.

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

try:
    from _course import Lesson  # run as a script, or as a notebook opened in lessons/
except ModuleNotFoundError:  # a notebook opened anywhere else (minidl installed: pip install -e .)
    from lessons._course import Lesson

import minidl as md
from minidl import nn
from minidl.data import DataLoader, TensorDataset, TransformDataset
from minidl.data.transforms import Compose, GaussianNoise, RandomAffine, RandomHorizontalFlip
from minidl.nn.utils import fgsm
from minidl.train import Trainer

lesson = Lesson(
    "15_augmentation_robustness", "Data augmentation and robustness", "数据增强与鲁棒性"
)

# %% [markdown]
# ## 1. Label-preserving augmentation on a small training set · 小训练集上的保持标签增强
#
# **问题 Question:** 只有 150 张训练图时，平移/旋转/缩放/加噪声的增强有帮助吗？对什么有帮助？ / With only 150
# training images, does shift/rotation/scale/noise augmentation help — and with what?
#
# Digits as 1×8×8 images in [0, 1]; 150 training images, 797 validation images. An MLP (64 → 128 →
# 10), Adam lr 3e-3, batch 32. Augmentation is applied on the fly: `TransformDataset` runs the
# transform every time a sample is fetched, so every epoch sees new random parameters. Two validation
# sets: the clean images, and the same images moved once by a random affine map (up to 15°, 15%
# shift, ±15% scale) — a test of robustness to exactly the variation the augmentation simulates.

# %%
X_all, y_all = load_digits(return_X_y=True)
X_all = (X_all / 16).astype(np.float32).reshape(-1, 1, 8, 8)
idx = np.random.default_rng(0).permutation(len(X_all))
X_tr, y_tr = X_all[idx[:150]], y_all[idx[:150]]
X_va, y_va = X_all[idx[1000:]], y_all[idx[1000:]]
X_moved = RandomAffine(degrees=15, translate=(0.15, 0.15), scale=(0.85, 1.15), generator=99)(X_va)
epochs = lesson.pick(100, 50)
seeds = list(range(lesson.pick(3, 2)))


def augmentations(seed: int) -> dict:
    """The training transforms compared (each with its own seeded generator)."""
    return {
        "none": None,
        "shift+rotate+scale+noise": Compose(
            [
                RandomAffine(degrees=10, translate=(0.1, 0.1), scale=(0.9, 1.1), generator=seed),
                GaussianNoise(0.05, clip=(0.0, 1.0), generator=seed + 100),
            ]
        ),
        "noise only (σ 0.1)": GaussianNoise(0.1, generator=seed + 200),
        "horizontal flip (p 0.5)": RandomHorizontalFlip(0.5, generator=seed + 300),
    }


def train(seed: int, transform) -> nn.Module:
    md.manual_seed(seed)
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    data = TensorDataset(md.tensor(X_tr), md.tensor(y_tr))
    if transform is not None:
        data = TransformDataset(data, transform)
    tr = Trainer(
        model, nn.CrossEntropyLoss(), md.optim.Adam(model.parameters(), 3e-3), generator=seed
    )
    tr.fit(DataLoader(data, batch_size=32, shuffle=True, generator=seed), epochs=epochs, verbose=0)
    model.eval()
    return model


def accuracy(model, X, y) -> float:
    with md.no_grad():
        return float(np.mean(model(md.tensor(X)).numpy().argmax(axis=1) == y))


noise_levels = [0.0, 0.1, 0.2, 0.3, 0.5]
rng_noise = np.random.default_rng(7)
X_noisy = {
    s: np.clip(X_va + rng_noise.normal(0, s, X_va.shape), 0, 1).astype(np.float32)
    for s in noise_levels
}
res = {name: [] for name in augmentations(0)}
models = {}
for s in lesson.progress(seeds, "augmentation"):
    for name, tf in augmentations(s).items():
        model = train(s, tf)
        models[name, s] = model
        res[name].append(
            {
                "clean": accuracy(model, X_va, y_va),
                "moved": accuracy(model, X_moved, y_va),
                "train": accuracy(model, X_tr, y_tr),
                **{f"noise {n:g}": accuracy(model, X_noisy[n], y_va) for n in noise_levels[1:]},
            }
        )


def col(name, key):
    return np.array([r[key] for r in res[name]])


lesson.print_table(
    [
        [name, col(name, "train").mean(), col(name, "clean").mean(), col(name, "moved").mean()]
        for name in res
    ],
    ["training transform", "train acc", "val acc (clean)", "val acc (moved)"],
    f"150 training digits, {epochs} epochs, mean over {len(seeds)} seeds",
)
lesson.result("augmentation", {n: {k: col(n, k) for k in res[n][0]} for n in res})
aug, plain = "shift+rotate+scale+noise", "none"
lesson.check(
    "augmentation makes the model robust to moved digits: val acc on moved images higher than "
    "without augmentation by > 0.05, every seed",
    bool(np.all(col(aug, "moved") > col(plain, "moved") + 0.05)),
    aug=col(aug, "moved"),
    plain=col(plain, "moved"),
)
clean_gap = col(aug, "clean") - col(plain, "clean")
lesson.result("clean_gain_from_augmentation", clean_gap)
lesson.textbook(
    "004A/B §3.2(3) 数据增强",
    "数据增强可以增加模型的鲁棒性，减少过拟合",
    "augmentation increases robustness and reduces overfitting",
    f"val acc on moved digits {col(plain, 'moved').mean():.3f} → {col(aug, 'moved').mean():.3f}; "
    f"train–val gap {np.mean(col(plain, 'train') - col(plain, 'clean')):.3f} → "
    f"{np.mean(col(aug, 'train') - col(aug, 'clean')):.3f}; clean val acc change "
    f"{clean_gap.mean():+.3f}",
    agree=bool(np.all(col(aug, "moved") > col(plain, "moved")) and clean_gap.mean() > 0),
    explanation=(
        "robustness to the simulated variation rises, but the clean validation accuracy falls and "
        "the train–val gap does not narrow: scikit-learn's digits are already centred and size-normalised, "
        "so shifted training digits differ from the test digits and an MLP (no built-in "
        "translation invariance) spends capacity on them. Augment with the variation the test "
        "data has"
    ),
)

# %% [markdown]
# ## 2. A transform that breaks labels: mirrored digits · 破坏标签的变换：镜像数字
#
# **问题 Question:** 水平翻转对数字还是“保持标签”的吗？ / Is a horizontal flip label-preserving for
# digits?
#
# The plain model, scored on mirrored validation digits (per class); and the model trained with random
# flips (section 1's last row).

# %%
X_flip = X_va[..., ::-1].copy()
plain0 = models[plain, seeds[0]]
with md.no_grad():
    pred_flip = plain0(md.tensor(X_flip)).numpy().argmax(axis=1)
per_class = np.array([np.mean(pred_flip[y_va == c] == c) for c in range(10)])
lesson.print_table(
    [[c, per_class[c]] for c in range(10)],
    ["digit", "plain model's accuracy on its mirror image"],
    "mirrored validation digits (seed 0)",
)
lesson.result("mirror_accuracy_per_class", per_class)
flip_name = "horizontal flip (p 0.5)"
flip_drop = col(plain, "clean") - col(flip_name, "clean")
lesson.check(
    "training with flips lowers clean val acc, every seed",
    bool(np.all(flip_drop > 0)),
    drop=flip_drop,
)
broken = [c for c in range(10) if per_class[c] < 0.5]
lesson.result("digits_broken_by_mirroring", broken)
lesson.check(
    "mirroring breaks labels: at least half of the ten digits are recognised on fewer than half of "
    "their mirror images, and overall < 0.6 of mirrored digits are",
    len(broken) >= 5 and float(np.mean(pred_flip == y_va)) < 0.6,
    broken=len(broken),
    overall=float(np.mean(pred_flip == y_va)),
)
lesson.textbook(
    "002 §3.2 数据增强",
    "常见的数据增强方法包括图像翻转、旋转、裁剪、缩放、添加噪声等",
    "common augmentations: flips, rotation, crops, scaling, noise",
    f"with horizontal flips the clean val acc falls by {flip_drop.mean():.3f} "
    f"({int(np.sum(flip_drop > 0))}/{len(seeds)} seeds); the plain model recognises "
    f"{np.mean(pred_flip == y_va):.3f} of mirrored digits",
    agree=bool(np.all(flip_drop <= 0)),
    explanation=(
        f"a mirrored {', '.join(map(str, broken))} is (mostly) not that digit: a flip is label-preserving for natural "
        "photographs, not for digits or text — choose transforms the labels survive"
    ),
)

# %% [markdown]
# ## 3. Input noise and adversarial examples · 输入噪声与对抗样本
#
# **问题 Question:** 加噪声训练能否提高对噪声的鲁棒性？同样大小的扰动，FGSM 与随机噪声相比如何？ / Does
# noise training make a model robust to noise? How does an FGSM perturbation compare with random noise
# of the same size?
#
# Accuracy of each model on the validation images plus N(0, σ²) noise (clipped to [0, 1]). Then FGSM
# (`minidl.nn.utils.fgsm`): x' = clip(x + ε·sign(∇ₓ loss), 0, 1), against x + ε·(random ±1) — the same
# size in every pixel (max-norm ε), a direction chosen by the gradient or by chance.

# %%
noise_tbl = [[name] + [col(name, f"noise {n:g}").mean() for n in noise_levels[1:]] for name in res]
lesson.print_table(
    noise_tbl,
    ["model"] + [f"σ={n:g}" for n in noise_levels[1:]],
    "val acc under input noise (mean over seeds)",
)
noise_name = "noise only (σ 0.1)"
lesson.check(
    "noise training is more robust at σ = 0.3 than no augmentation, every seed",
    bool(np.all(col(noise_name, "noise 0.3") > col(plain, "noise 0.3"))),
    noise_trained=col(noise_name, "noise 0.3"),
    plain=col(plain, "noise 0.3"),
)
eps_list = lesson.pick([0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3], [0.0, 0.05, 0.1, 0.2])
fgsm_acc, rand_acc = [], []
yt = md.tensor(y_va)
for s in seeds:
    m = models[plain, s]
    row_f, row_r = [], []
    for eps in eps_list:
        x_adv = fgsm(m, md.tensor(X_va), yt, eps, clamp=(0.0, 1.0)).numpy()
        signs = np.random.default_rng(s).choice([-1.0, 1.0], size=X_va.shape)
        x_rand = np.clip(X_va + eps * signs, 0, 1).astype(np.float32)
        row_f.append(accuracy(m, x_adv, y_va))
        row_r.append(accuracy(m, x_rand, y_va))
    fgsm_acc.append(row_f)
    rand_acc.append(row_r)
fgsm_acc, rand_acc = np.array(fgsm_acc), np.array(rand_acc)
lesson.print_table(
    [[e, fgsm_acc[:, i].mean(), rand_acc[:, i].mean()] for i, e in enumerate(eps_list)],
    ["ε", "val acc under FGSM", "val acc under random ±ε"],
    "the plain model (mean over seeds)",
)
lesson.result("fgsm", {"eps": eps_list, "fgsm": fgsm_acc, "random": rand_acc})
i01 = eps_list.index(0.1)
lesson.check(
    "FGSM accuracy falls as ε grows (mean over seeds, every step)",
    bool(np.all(np.diff(fgsm_acc.mean(axis=0)) <= 0)),
    acc=fgsm_acc.mean(axis=0),
)
lesson.check(
    "at ε = 0.1 FGSM costs at least 3× the accuracy random ±ε noise costs, every seed",
    bool(np.all((fgsm_acc[:, 0] - fgsm_acc[:, i01]) > 3 * (rand_acc[:, 0] - rand_acc[:, i01]))),
    fgsm=fgsm_acc[:, i01],
    random=rand_acc[:, i01],
)
lesson.textbook(
    "002 §8.3 鲁棒性",
    "深度学习模型容易受到对抗样本的攻击",
    "deep models are easily attacked by adversarial examples",
    f"ε = 0.1 (1/10 of the pixel range): FGSM val acc {fgsm_acc[:, i01].mean():.3f}, random ±ε "
    f"{rand_acc[:, i01].mean():.3f}, clean {fgsm_acc[:, 0].mean():.3f}",
    agree=bool(np.all(fgsm_acc[:, i01] < rand_acc[:, i01] - 0.1)),
    explanation="the gradient-sign perturbation was not much worse than random noise",
)
lesson.textbook(
    "004B §2.5(4) 鲁棒性",
    "通过引入噪声训练、鲁棒优化方法等，可以提高模型的鲁棒性",
    "noise training improves robustness",
    f"val acc at σ = 0.3: {col(plain, 'noise 0.3').mean():.3f} plain, "
    f"{col(noise_name, 'noise 0.3').mean():.3f} noise-trained",
    agree=bool(np.all(col(noise_name, "noise 0.3") > col(plain, "noise 0.3"))),
    explanation="noise training did not help under noise",
)

# %% [markdown]
# ## 4. The text's ImageDataGenerator snippet, translated and run · 运行教材的 ImageDataGenerator 代码
#
# **问题 Question:** 教材 004B §5.5(3) 的代码照原样运行会怎样？这些增强强度对 8×8 的数字合适吗？ / What
# happens when 004B §5.5(3) runs as written, and do its strengths suit 8×8 digits?
#
# `ImageDataGenerator(rotation_range=20, width_shift_range=0.2, height_shift_range=0.2,
# zoom_range=0.2)` then `model.fit(datagen.flow(train_images, train_labels, batch_size=32),
# epochs=50, validation_split=0.2)`. Translation: `RandomAffine(degrees=20, translate=(0.2, 0.2),
# scale=(1/1.2, 1/0.8))` in a `TransformDataset`, a `DataLoader` of batches of 32 for
# `datagen.flow(...)` (Keras's zoom z ∈ [0.8, 1.2] shrinks the picture by z; Keras draws separate x
# and y zooms, RandomAffine one). Keras refuses `validation_split` with a generator input; so does
# minidl's `fit`.

# %%
keras_aug = RandomAffine(degrees=20, translate=(0.2, 0.2), scale=(1 / 1.2, 1 / 0.8), generator=0)
flow = DataLoader(
    TransformDataset(TensorDataset(md.tensor(X_tr), md.tensor(y_tr)), keras_aug),
    batch_size=32,
    shuffle=True,
    generator=0,
)
md.manual_seed(0)
m_text = nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
tr_text = Trainer(
    m_text, nn.CrossEntropyLoss(), md.optim.Adam(m_text.parameters(), 3e-3), generator=0
)
try:
    tr_text.fit(flow, epochs=50, validation_split=0.2, verbose=0)
    as_written = "ran"
except (ValueError, TypeError) as err:
    as_written = f"{type(err).__name__}: {err}"
print(f"004B §5.5(3) as written: {as_written}")
lesson.result("snippet_as_written", as_written)
text_runs = []
for s in seeds:  # the same augmentation, with validation_data instead of validation_split
    tf = RandomAffine(degrees=20, translate=(0.2, 0.2), scale=(1 / 1.2, 1 / 0.8), generator=s)
    m = train(s, tf)
    text_runs.append([accuracy(m, X_va, y_va), accuracy(m, X_moved, y_va)])
text_runs = np.array(text_runs)
shift_px = 0.2 * 8
lesson.print_table(
    [
        ["none", col(plain, "clean").mean(), col(plain, "moved").mean()],
        ["milder (section 1)", col(aug, "clean").mean(), col(aug, "moved").mean()],
        ["the text's ImageDataGenerator", text_runs[:, 0].mean(), text_runs[:, 1].mean()],
    ],
    ["augmentation", "val acc (clean)", "val acc (moved)"],
    f"mean over {len(seeds)} seeds; the text's shift range is ±{shift_px:g} pixels of 8",
)
lesson.result("text_augmentation", {"clean": text_runs[:, 0], "moved": text_runs[:, 1]})
lesson.check(
    "the snippet as written stops: fit refuses validation_split with a loader",
    as_written.startswith("ValueError") and "validation_split" in as_written,
    outcome=as_written,
)
lesson.textbook(
    "004B §5.5(3) 数据增强",
    "数据增强：通过数据增强可以增加训练样本的多样性。datagen = ImageDataGenerator(rotation_range=20, "
    "width_shift_range=0.2, height_shift_range=0.2, zoom_range=0.2); model.fit(datagen.flow(...), "
    "epochs=50, validation_split=0.2)",
    "augment with ImageDataGenerator and fit on its flow with validation_split=0.2",
    f"as written: {as_written}; with validation_data instead: clean val acc "
    f"{text_runs[:, 0].mean():.3f} (none {col(plain, 'clean').mean():.3f}), moved "
    f"{text_runs[:, 1].mean():.3f} (none {col(plain, 'moved').mean():.3f})",
    agree=False,
    explanation=(
        "fit cannot split a generator's stream into a validation part (Keras raises the same "
        "error): pass validation_data, held out before augmenting. On 8×8 digits a 20% shift is "
        f"±{shift_px:g} pixels; the augmented model trades clean accuracy for robustness to moved "
        "digits"
    ),
)

# %% [markdown]
# ## 5. Figures · 图

# %%
fig, ax = plt.subplots(1, 4, figsize=(17, 4))
samples = Compose(
    [
        RandomAffine(degrees=10, translate=(0.1, 0.1), scale=(0.9, 1.1), generator=5),
        GaussianNoise(0.05, clip=(0.0, 1.0), generator=6),
    ]
)
strip = np.concatenate(
    [
        X_tr[0, 0],
        samples(X_tr[0])[0],
        X_tr[0, 0, :, ::-1],
        X_moved[0, 0],
        fgsm(plain0, md.tensor(X_va[:1]), md.tensor(y_va[:1]), 0.1, clamp=(0.0, 1.0)).numpy()[0, 0],
    ],
    axis=1,
)
ax[0].imshow(strip, cmap="gray_r")
ax[0].set(title="original | augmented | mirrored | moved | FGSM 0.1", xticks=[], yticks=[])
names = list(res)
xs = np.arange(len(names))
ax[1].bar(xs - 0.2, [col(n, "clean").mean() for n in names], 0.4, label="clean")
ax[1].bar(xs + 0.2, [col(n, "moved").mean() for n in names], 0.4, label="moved")
ax[1].set_xticks(xs, [n.replace(" (", "\n(").replace("+", "+\n") for n in names], fontsize=7)
ax[1].set(title="val accuracy by training transform", ylim=(0, 1))
ax[1].legend(fontsize=8)
for n in names:
    ax[2].plot(
        noise_levels,
        [col(n, "clean").mean()] + [col(n, f"noise {v:g}").mean() for v in noise_levels[1:]],
        "o-",
        label=n,
    )
ax[2].set(title="accuracy under input noise", xlabel="σ", ylabel="val acc")
ax[2].legend(fontsize=7)
ax[3].plot(eps_list, fgsm_acc.mean(axis=0), "o-", label="FGSM")
ax[3].plot(eps_list, rand_acc.mean(axis=0), "s-", label="random ±ε")
ax[3].set(title="plain model: FGSM vs random", xlabel="ε", ylabel="val acc")
ax[3].legend(fontsize=8)
fig.tight_layout()
lesson.savefig(fig, "augmentation_robustness")

# %% [markdown]
# ## What the numbers say · 结论

# %%
lesson.conclude(
    f"150 张训练图：平移/旋转/缩放/噪声增强使对“移动过的”数字的准确率从 {col(plain, 'moved').mean():.3f} 升到 "
    f"{col(aug, 'moved').mean():.3f}，但干净验证集准确率变化 {clean_gap.mean():+.3f}——增强带来的是对所模拟变化的"
    "鲁棒性；测试数据没有这种变化时，它未必提高准确率。",
    f"150 training images: shift/rotate/scale/noise augmentation lifts accuracy on moved digits from "
    f"{col(plain, 'moved').mean():.3f} to {col(aug, 'moved').mean():.3f}, while clean validation "
    f"accuracy changes by {clean_gap.mean():+.3f} — augmentation buys robustness to the variation it "
    "simulates; where the test data lacks that variation it need not raise accuracy.",
)
lesson.conclude(
    f"水平翻转破坏数字的标签：用翻转训练使干净准确率下降 {flip_drop.mean():.3f}；原模型只认出 "
    f"{np.mean(pred_flip == y_va):.3f} 的镜像数字。",
    f"Horizontal flips break digit labels: training with them costs {flip_drop.mean():.3f} of clean "
    f"accuracy; the plain model recognises {np.mean(pred_flip == y_va):.3f} of mirrored digits.",
)
lesson.conclude(
    f"加噪声训练在 σ=0.3 时准确率 {col(noise_name, 'noise 0.3').mean():.3f}（原模型 "
    f"{col(plain, 'noise 0.3').mean():.3f}）；ε=0.1 的 FGSM 把准确率降到 {fgsm_acc[:, i01].mean():.3f}，"
    f"同样大小的随机扰动只降到 {rand_acc[:, i01].mean():.3f}。",
    f"Noise training: {col(noise_name, 'noise 0.3').mean():.3f} at σ = 0.3 (plain "
    f"{col(plain, 'noise 0.3').mean():.3f}); FGSM at ε = 0.1 drops accuracy to "
    f"{fgsm_acc[:, i01].mean():.3f}, random noise of the same size only to "
    f"{rand_acc[:, i01].mean():.3f}.",
)

# %%
lesson.finish()
