# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Lesson 18 · Convolutional networks and structure · 卷积网络与网络结构
#
# **Textbook sections:** 000 §3.1 “网络结构调整”, §4.1 “网络结构调整” (create_model, adjust_model); 001 §5
# “实际应用场景”; 004B §2.2(1) “卷积神经网络（CNN）”, §3.3(3) “使用深度网络” (预训练模型, 微调), §6.1
# “图像识别” (迁移学习)
#
# **You will see:** the text's CNN built in minidl, its output shapes and parameter count from
# `summary` checked against hand arithmetic; its `adjust_model` run as written (and why it fails);
# the deeper model it meant, with its parameter count; convolution's forward and backward shapes and
# a gradient check; a digits CNN against an MLP; and pre-training on digits 0–4 then fine-tuning on
# 5–9 with few labels, features frozen or not, against training from scratch.
#
# **Time:** 4.4 s full, 3.9 s fast (after imports), measured on Intel(R) Xeon(R) Processor, 2 cores
# shared with other work; `python -m lessons list` prints your last measured times.

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
from minidl.testing import gradcheck
from minidl.train import Trainer, summary

lesson = Lesson("18_cnn_structure", "Convolutional networks and structure", "卷积网络与网络结构")


# %% [markdown]
# ## 1. The text's CNN: shapes and parameters · 教材的 CNN：形状与参数量
#
# **问题 Question:** 教材 000 §4.1 的 CNN 每层输出什么形状、有多少参数？手算与 `summary` 一致吗？ / What
# shape does each layer of the text's CNN output, and how many parameters has it — do hand
# arithmetic and `summary` agree?
#
# Keras's `Conv2D(32, (3, 3), input_shape=(28, 28, 1))` is `nn.Conv2d(1, 32, 3)` on NCHW images;
# `Dense(128)` after `Flatten` is `nn.Linear(in, 128)`; the softmax lives in the loss. Hand
# arithmetic: a k×k 'valid' convolution maps n → n − k + 1, a 2×2 pooling n → ⌊n / 2⌋; a conv layer
# has C_out · (C_in · k² + 1) parameters, a dense layer out · (in + 1).


# %%
def create_model() -> nn.Sequential:
    md.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, 10),
    )  # fmt: skip


def conv_out(n: int, k: int = 3) -> int:
    return n - k + 1


text_model = create_model()
text_summary = summary(text_model, (1, 28, 28))
s1 = conv_out(28)  # 26
p1 = s1 // 2  # 13
s2 = conv_out(p1)  # 11
p2 = s2 // 2  # 5
hand_params = 32 * (1 * 9 + 1) + 64 * (32 * 9 + 1) + 128 * (64 * p2 * p2 + 1) + 10 * (128 + 1)
shapes = {r.name: r.output_shape for r in text_summary.rows}
lesson.result("text_cnn_params", text_summary.total_params)
lesson.result("text_cnn_hand_params", hand_params)
lesson.check(
    "summary's output shapes equal hand arithmetic: 26 → 13 → 11 → 5, flatten 64·5·5 = 1600",
    shapes["0"] == (None, 32, s1, s1)
    and shapes["2"] == (None, 32, p1, p1)
    and shapes["3"] == (None, 64, s2, s2)
    and shapes["5"] == (None, 64, p2, p2)
    and shapes["6"] == (None, 64 * p2 * p2),
    flat=64 * p2 * p2,
)
lesson.check(
    "summary's parameter count equals hand arithmetic",
    text_summary.total_params == hand_params,
    summary=text_summary.total_params,
    hand=hand_params,
)
dense_share = (128 * (1600 + 1)) / hand_params
lesson.textbook(
    "004B §2.2(1) 卷积神经网络（CNN）",
    "CNN是一种专门用于图像识别和处理的深度学习模型，通过卷积层、池化层等结构对图像进行特征提取",
    "a CNN extracts image features with convolution and pooling layers",
    f"the text's CNN: {hand_params} parameters, of which the first dense layer holds "
    f"{dense_share:.0%}; the two conv layers only {32 * 10 + 64 * 289}",
    agree=True,
    explanation="",
)

# %% [markdown]
# ## 2. `adjust_model` as written, and the model it meant · 原样运行 adjust_model，以及它想要的模型
#
# **问题 Question:** 教材的 `adjust_model` 用 `model.add` 加一个卷积块，会发生什么？ / The text's
# `adjust_model` adds a conv block with `model.add` — what happens?
#
# `model.add` appends at the end: after `Dense(10, softmax)`. The new Conv2D would receive the
# (N, 10) class scores. In minidl (`Sequential.append`, and the in_channels Keras would infer from
# the incoming tensor's last axis: 10):


# %%
def adjust_model(model):  # the text's function, with minidl's names
    model.append(nn.Conv2d(10, 64, 3))
    model.append(nn.MaxPool2d(2))
    return model


adjusted = adjust_model(create_model())
x28 = md.zeros(2, 1, 28, 28)
try:
    adjusted(x28)
    adjust_outcome = "ran"
except (ValueError, RuntimeError, TypeError) as error:
    adjust_outcome = f"{type(error).__name__}: {str(error).splitlines()[0][:150]}"
print(f"adjust_model(create_model())(x) -> {adjust_outcome}")
lesson.result("adjust_model_outcome", adjust_outcome)
lesson.textbook(
    "000 §4.1 网络结构调整",
    "def adjust_model(model): model.add(Conv2D(64, (3, 3), activation='relu')); model.add(MaxPooling2D((2, 2)))",
    "the adjustment adds a convolution block to the network",
    adjust_outcome,
    agree=adjust_outcome == "ran",
    explanation=(
        "model.add appends after the softmax output: the new convolution receives (N, 10) class "
        "scores, not feature maps, and fails (Keras fails the same way: Conv2D expects 4-D input). "
        "The block belongs before Flatten"
    ),
)


def deeper_model() -> nn.Sequential:
    """The intended adjustment: a third conv block inserted before Flatten."""
    md.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10),
    )  # fmt: skip


deep_summary = summary(deeper_model(), (1, 28, 28))
s3 = conv_out(p2)  # 3
p3 = s3 // 2  # 1
hand_deep = (
    32 * 10 + 64 * (32 * 9 + 1) + 64 * (64 * 9 + 1) + 128 * (64 * p3 * p3 + 1) + 10 * (128 + 1)
)
lesson.result("deeper_cnn_params", deep_summary.total_params)
lesson.check(
    "the deeper model: 5 → 3 → 1, flatten 64, and summary's count equals hand arithmetic",
    deep_summary.rows[-4].output_shape == (None, 64) and deep_summary.total_params == hand_deep,
    summary=deep_summary.total_params,
    hand=hand_deep,
)
lesson.check(
    "one more conv block makes the model SMALLER (the flattened map shrinks 25×)",
    hand_deep < hand_params,
    deeper=hand_deep,
    text=hand_params,
)
lesson.textbook(
    "000 §3.1 网络结构调整",
    "我们可以增加或减少网络中的层数、增加或减少每层的单元数等",
    "structure adjustment: add or remove layers, widen or narrow them",
    f"adding a conv block (inserted before Flatten) changes the parameter count from {hand_params} "
    f"to {hand_deep}",
    agree=True,
    explanation="",
)

# %% [markdown]
# ## 3. Convolution forward and backward · 卷积的前向与反向
#
# **问题 Question:** 反向传播给卷积层的梯度是什么形状？对吗？ / What shapes do the gradients of a
# convolution have, and are they right?
#
# The gradient of the loss with respect to each tensor has that tensor's shape: the input (N, C, H, W),
# the weight (C_out, C_in, k, k), the bias (C_out,). 001 §5: gradient descent optimises conv, pooling
# and dense layers alike — because backward gives every parameter its gradient. Checked against
# central differences in float64.

# %%
md.manual_seed(1)
xg = md.randn(2, 3, 6, 6, dtype=md.float64, requires_grad=True)
wg = md.randn(4, 3, 3, 3, dtype=md.float64, requires_grad=True)
bg = md.randn(4, dtype=md.float64, requires_grad=True)
out = F.max_pool2d(F.relu(F.conv2d(xg, wg, bg, padding=1)), 2)
out.sum().backward()
shape_rows = [
    ["input x", tuple(xg.shape), tuple(xg.grad.shape)],
    ["weight", tuple(wg.shape), tuple(wg.grad.shape)],
    ["bias", tuple(bg.shape), tuple(bg.grad.shape)],
    ["output (conv → relu → pool)", tuple(out.shape), "-"],
]
lesson.print_table(
    shape_rows, ["tensor", "shape", "gradient shape"], "conv2d(padding=1) + max_pool2d"
)
grad_ok = gradcheck(
    lambda a, b, c: F.max_pool2d(F.tanh(F.conv2d(a, b, c, padding=1)), 2),
    (xg, wg, bg),
    raise_exception=False,
)
lesson.check(
    "each gradient has its tensor's shape, and the output is (2, 4, 3, 3)",
    all(r[1] == r[2] for r in shape_rows[:3]) and tuple(out.shape) == (2, 4, 3, 3),
)
lesson.check("conv + pooling gradients agree with finite differences (float64)", bool(grad_ok))
lesson.textbook(
    "001 §5 实际应用场景",
    "在卷积神经网络（CNN）中，梯度下降算法可以用于优化卷积层、池化层、全连接层等",
    "gradient descent optimises conv, pooling and dense layers",
    "gradients of input, weight and bias computed and checked; pooling has no parameters to "
    "optimise (it only routes the gradient to each window's maximum)",
    agree=bool(grad_ok),
    explanation="the gradients were wrong",
)

# %% [markdown]
# ## 4. Digits: CNN vs MLP · 手写数字：CNN 与 MLP
#
# **问题 Question:** 在 8×8 的手写数字上，小 CNN 比参数量相近的 MLP 好吗？平移一个像素后呢？ / On 8×8
# digits, is a small CNN better than an MLP of similar size — and on images shifted by one pixel?
#
# CNN: Conv(1→16, 3, pad 1) → ReLU → pool → Conv(16→32, 3, pad 1) → ReLU → pool → Linear(128 → 10).
# MLP: 64 → 80 → 10. Both Adam (lr 1e-2), 500 training images, over seeds; validation on the 500
# held-out images as they are and shifted right by one pixel.

# %%
X_tr, y_tr, X_va, y_va = digits_split(1297, seed=0)
img_tr, img_va = X_tr.reshape(-1, 1, 8, 8), X_va.reshape(-1, 1, 8, 8)
img_shift = np.roll(img_va, 1, axis=3)
img_shift[..., 0] = 0.0


def digits_cnn(seed: int, n_out: int = 10) -> nn.Sequential:
    md.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 2 * 2, n_out),
    )  # fmt: skip


def digits_mlp(seed: int) -> nn.Sequential:
    md.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 80), nn.ReLU(), nn.Linear(80, 10))


def fit(model, x, y, seed: int, epochs: int, params=None):
    opt = md.optim.Adam(params if params is not None else model.parameters(), lr=1e-2)
    Trainer(model, nn.CrossEntropyLoss(), opt, generator=seed).fit(
        x, y, epochs=epochs, batch_size=32, verbose=0
    )
    return model.eval()


def accuracy(model, x, y) -> float:
    with md.no_grad():
        return float(np.mean(model(md.tensor(x)).data.argmax(axis=1) == y))


seeds = list(range(lesson.pick(3, 2)))
epochs = lesson.pick(20, 12)
sizes = {"CNN": sum(p.numel() for p in digits_cnn(0).parameters()),
         "MLP": sum(p.numel() for p in digits_mlp(0).parameters())}  # fmt: skip
arch = {k: {"val": [], "shifted": []} for k in sizes}
for s in lesson.progress(seeds, "CNN vs MLP"):
    for name, build in (("CNN", digits_cnn), ("MLP", digits_mlp)):
        m = fit(build(s), img_tr[:500], y_tr[:500], s, epochs)
        arch[name]["val"].append(accuracy(m, img_va, y_va))
        arch[name]["shifted"].append(accuracy(m, img_shift, y_va))
arch = {k: {kk: np.array(vv) for kk, vv in v.items()} for k, v in arch.items()}
lesson.print_table(
    [[k, sizes[k], v["val"].mean(), v["shifted"].mean()] for k, v in arch.items()],
    ["model", "parameters", "val acc", "val acc, shifted 1 px"],
    f"Digits, 500 training images, {epochs} epochs, mean of {len(seeds)} seeds",
)
lesson.result("cnn_vs_mlp", arch)
lesson.check(
    "both reach > 0.9 validation accuracy",
    bool(arch["CNN"]["val"].mean() > 0.9 and arch["MLP"]["val"].mean() > 0.9),
    cnn=arch["CNN"]["val"].mean(),
    mlp=arch["MLP"]["val"].mean(),
)
drop = {k: v["val"].mean() - v["shifted"].mean() for k, v in arch.items()}
lesson.check(
    "a one-pixel shift costs the CNN less accuracy than the MLP (weight sharing + pooling)",
    bool(drop["CNN"] < drop["MLP"]),
    cnn_drop=drop["CNN"],
    mlp_drop=drop["MLP"],
)

# %% [markdown]
# ## 5. Pre-train, then fine-tune · 预训练与微调
#
# **问题 Question:** 在数字 0–4 上预训练的卷积特征，能帮只有少量标签的 5–9 吗？冻结还是放开？ / Do conv
# features pre-trained on digits 0–4 help learn 5–9 from few labels — frozen or unfrozen?
#
# Pre-train the digits CNN on every training image of 0–4. Then for 5–9 with only 3 labelled images
# per class (15 in all): a new head (Linear 128 → 5) on the frozen features (`requires_grad_(False)`), the whole
# network fine-tuned, or the same network trained from scratch — same steps for all three.

# %%
low_tr, high_tr = y_tr < 5, y_tr >= 5
pre = fit(digits_cnn(100, n_out=5), img_tr[low_tr], y_tr[low_tr], 100, lesson.pick(15, 10))
pre_acc = accuracy(pre, img_va[y_va < 5], y_va[y_va < 5])
va_hi = img_va[y_va >= 5], y_va[y_va >= 5] - 5
ft_epochs = lesson.pick(30, 20)
transfer = {"scratch": [], "frozen features": [], "fine-tuned": []}
for s in lesson.progress(seeds, "fine-tune"):
    rng = np.random.default_rng(200 + s)
    idx = np.concatenate(
        [rng.choice(np.flatnonzero(y_tr == c), 3, replace=False) for c in range(5, 10)]
    )
    x_few, y_few = img_tr[idx], y_tr[idx] - 5
    for mode in transfer:
        model = digits_cnn(s, n_out=5)
        if mode != "scratch":
            features = {k: v for k, v in pre.state_dict().items() if not k.startswith("7.")}
            model.load_state_dict(features, strict=False)  # everything but the head
        params = None
        if mode == "frozen features":
            for layer in list(model)[:7]:
                layer.requires_grad_(False)
            params = model[7].parameters()
        fit(model.train(), x_few, y_few, s, ft_epochs, params=params)
        transfer[mode].append(accuracy(model, *va_hi))
transfer = {k: np.array(v) for k, v in transfer.items()}
lesson.print_table(
    [[k, v.mean(), v.min(), v.max()] for k, v in transfer.items()],
    ["digits 5–9 from 15 labels", "val acc (mean)", "min", "max"],
    f"Transfer from 0–4 (pre-trained val acc on 0–4: {pre_acc:.3f}); {len(seeds)} seeds",
)
lesson.result("pretrain_accuracy_0_4", pre_acc)
lesson.result("transfer", transfer)
best_transfer = max(transfer["frozen features"].mean(), transfer["fine-tuned"].mean())
lesson.result("transfer_beats_scratch", bool(best_transfer > transfer["scratch"].mean()))
lesson.check(
    "frozen 0–4 features are worse than letting every layer adapt (fine-tuning), on average",
    bool(transfer["frozen features"].mean() < transfer["fine-tuned"].mean()),
    frozen=transfer["frozen features"].mean(),
    fine_tuned=transfer["fine-tuned"].mean(),
)
lesson.textbook(
    "004B §3.3(3) 使用深度网络",
    "可以使用预训练模型（如VGG、ResNet等）作为基础模型，并通过微调（Fine-tuning）适应特定任务",
    "use a pre-trained model as the base and fine-tune it to the task",
    f"digits 5–9 from 15 labels: fine-tuned {transfer['fine-tuned'].mean():.3f}, frozen "
    f"{transfer['frozen features'].mean():.3f}, scratch {transfer['scratch'].mean():.3f}",
    agree=bool(transfer["fine-tuned"].mean() > transfer["scratch"].mean()),
    explanation=(
        "features learned from five digit classes of 8×8 pixels (a 6 000-parameter CNN) did not "
        "help the other five: the text means large models pre-trained on large, varied data "
        "(VGG, ResNet on ImageNet), whose first layers are generic; this toy source task is not"
    ),
)
lesson.textbook(
    "004B §6.1 图像识别",
    "迁移学习：利用预训练模型（如VGG、ResNet等）进行迁移学习，可以减少训练时间并提高模型性能",
    "transfer learning cuts training time and improves performance",
    f"same number of steps for all; accuracy {best_transfer:.3f} with transfer vs "
    f"{transfer['scratch'].mean():.3f} from scratch (training time not compared: same steps)",
    agree=bool(best_transfer > transfer["scratch"].mean()),
    explanation="with this small source task, transfer did not help (see the previous check)",
)

# %% [markdown]
# ## 6. Figures · 图

# %%
fig, ax = plt.subplots(1, 3, figsize=(15, 4.2))
names = [r.name + " " + r.type for r in text_summary.rows if r.params]
ax[0].barh(names, [r.params for r in text_summary.rows if r.params])
ax[0].set(title=f"the text's CNN: parameters per layer ({hand_params} in all)", xscale="log")
ax[1].bar(["CNN", "MLP"], [arch[k]["val"].mean() for k in ("CNN", "MLP")], label="as is")
ax[1].bar(
    ["CNN ", "MLP "], [arch[k]["shifted"].mean() for k in ("CNN", "MLP")], label="shifted 1 px"
)
ax[1].set(title="digits: CNN vs MLP", ylabel="val accuracy", ylim=(0.5, 1))
ax[1].legend()
ax[2].bar(list(transfer), [v.mean() for v in transfer.values()],
          yerr=[[v.mean() - v.min() for v in transfer.values()],
                [v.max() - v.mean() for v in transfer.values()]])  # fmt: skip
ax[2].set(title="digits 5–9 from 15 labels", ylabel="val accuracy", ylim=(0, 1))
fig.tight_layout()
lesson.savefig(fig, "cnn_structure")

# %% [markdown]
# ## What the numbers say · 结论

# %%
lesson.conclude(
    f"教材的 CNN：{hand_params} 个参数（summary 与手算一致），第一个全连接层占 {dense_share:.0%}。adjust_model "
    f"把卷积块接在 softmax 之后，运行失败；插到 Flatten 之前的更深模型反而只有 {hand_deep} 个参数。",
    f"The text's CNN: {hand_params} parameters (summary = hand arithmetic), {dense_share:.0%} of them "
    f"in the first dense layer. adjust_model appends the conv block after the softmax and fails; "
    f"the deeper model with the block before Flatten has only {hand_deep} parameters.",
)
lesson.conclude(
    f"数字：CNN {arch['CNN']['val'].mean():.3f}、MLP {arch['MLP']['val'].mean():.3f}；平移 1 像素后 "
    f"{arch['CNN']['shifted'].mean():.3f} 对 {arch['MLP']['shifted'].mean():.3f}。",
    f"Digits: CNN {arch['CNN']['val'].mean():.3f}, MLP {arch['MLP']['val'].mean():.3f}; shifted by one "
    f"pixel {arch['CNN']['shifted'].mean():.3f} vs {arch['MLP']['shifted'].mean():.3f}.",
)
lesson.conclude(
    f"0–4 上预训练、5–9 只有 15 个标签：微调 {transfer['fine-tuned'].mean():.3f}，冻结特征 "
    f"{transfer['frozen features'].mean():.3f}，从零训练 {transfer['scratch'].mean():.3f}。",
    f"Pre-trained on 0–4, 15 labels of 5–9: fine-tuned {transfer['fine-tuned'].mean():.3f}, frozen "
    f"features {transfer['frozen features'].mean():.3f}, from scratch {transfer['scratch'].mean():.3f}.",
)

# %%
lesson.finish()
