# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Lesson 19 · Recurrent networks · 循环神经网络
#
# **Textbook sections:** 000 §4.2 “参数调整” (create_rnn_model, adjust_rnn_model); 004B §2.2(2–3)
# “深度学习模型的架构” (循环神经网络, 长短时记忆网络); 001 §7 “总结：未来发展趋势与挑战” (梯度消失、梯度爆炸)
#
# **You will see:** an RNN and an LSTM on a synthetic memory task (recall the first symbol of a noisy
# sequence) across sequence lengths; how the gradient reaching step t shrinks with the distance from
# the loss (back-propagation through time), for both cells; gradient-norm clipping at a learning
# rate where plain SGD blows up; and the text's `adjust_rnn_model` run in minidl, against the right
# way to change a layer's width.
#
# **Time:** 18 s full, 4.7 s fast (after imports), measured on Intel(R) Xeon(R) Processor, 2 cores
# shared with other work; `python -m lessons list` prints your last measured times.

# %%
import matplotlib.pyplot as plt
import numpy as np

try:
    from _course import Lesson  # run as a script, or as a notebook opened in lessons/
except ModuleNotFoundError:  # a notebook opened anywhere else (minidl installed: pip install -e .)
    from lessons._course import Lesson

import minidl as md
import minidl.nn.functional as F
from minidl import nn
from minidl.train import summary

lesson = Lesson("19_recurrent", "Recurrent networks", "循环神经网络")
K, H = 4, 16  # symbols, hidden units


class Recall(nn.Module):
    """A recurrent layer read out at the last step: (N, L, K) -> logits (N, K)."""

    def __init__(self, kind: str, forget_bias: float = 1.0):
        super().__init__()
        self.rnn = getattr(nn, kind)(K, H, batch_first=True)
        if kind == "LSTM":  # gates (i, f, g, o): Keras's unit_forget_bias — start by remembering
            self.rnn.bias_ih_l0.data[H : 2 * H] = forget_bias
            self.rnn.bias_hh_l0.data[H : 2 * H] = 0.0
        self.head = nn.Linear(H, K)

    def forward(self, x):
        out, _ = self.rnn(x)  # (N, L, H)
        return self.head(out[:, -1])


def recall_data(n: int, length: int, seed: int):
    """Step 0 holds a symbol (one-hot × 2); steps 1…L−1 are Gaussian noise (σ 0.5); the label is
    the symbol. Chance accuracy is 1/K."""
    rng = np.random.default_rng(seed)
    symbol = rng.integers(0, K, size=n)
    x = (rng.normal(size=(n, length, K)) * 0.5).astype(np.float32)
    x[:, 0] = 2 * np.eye(K, dtype=np.float32)[symbol]
    return x, symbol


def train(model, length: int, seed: int, steps: int, lr: float, opt="adam", clip=None):
    """Mini-batches of 64; returns the loss of every step and the largest gradient norm seen."""
    x, y = recall_data(2048, length, seed)
    optim = (md.optim.Adam if opt == "adam" else md.optim.SGD)(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    losses, norms = [], []
    for _ in range(steps):
        i = rng.integers(0, len(x), 64)
        optim.zero_grad()
        loss = F.cross_entropy(model(md.tensor(x[i])), md.tensor(y[i]))
        loss.backward()
        if clip is None:
            grads = [p.grad.data.ravel() for p in model.parameters() if p.grad is not None]
            norms.append(float(np.linalg.norm(np.concatenate(grads))))
        else:  # rescale all gradients together so their norm is at most `clip`
            norms.append(float(nn.utils.clip_grad_norm_(model.parameters(), clip)))
        optim.step()
        losses.append(loss.item())
        if not np.isfinite(losses[-1]):
            break
    return np.array(losses), np.array(norms)


def accuracy(model, length: int) -> float:
    x, y = recall_data(512, length, 999)
    with md.no_grad():
        return float(np.mean(model(md.tensor(x)).data.argmax(axis=1) == y))


# %% [markdown]
# ## 1. RNN vs LSTM across sequence lengths · 不同序列长度下的 RNN 与 LSTM
#
# **问题 Question:** 记忆要跨越的步数越多，RNN 和 LSTM 各自还学得会吗？ / As the symbol has to be
# remembered over more steps, can each still learn it?
#
# Same budget for both: Adam (lr 1e-2), batches of 64, a fixed number of steps; the LSTM starts
# with forget-gate bias 1 (Keras's default `unit_forget_bias=True`; PyTorch initialises it like
# every other bias). 004B §2.2: an RNN captures temporal dependencies through its memory; the LSTM's
# gates solve the RNN's long-term dependency problem.

# %%
lengths = lesson.pick([5, 10, 20, 30], [5, 20])
steps = lesson.pick(300, 200)
seeds = list(range(lesson.pick(2, 1)))
acc = {kind: np.zeros((len(seeds), len(lengths))) for kind in ("RNN", "LSTM")}
for kind in acc:
    for j, length in enumerate(lengths):
        for i, s in enumerate(lesson.progress(seeds, f"{kind} L={length}")):
            md.manual_seed(s)
            model = Recall(kind)
            train(model, length, s, steps, 1e-2)
            acc[kind][i, j] = accuracy(model, length)
mean = {k: v.mean(axis=0) for k, v in acc.items()}
lesson.print_table(
    [[length, mean["RNN"][j], mean["LSTM"][j]] for j, length in enumerate(lengths)],
    ["length L", "RNN val acc", "LSTM val acc"],
    f"Recall the first symbol (chance {1 / K:.2f}); {steps} Adam steps; mean of {len(seeds)} seed(s)",
)
lesson.result("lengths", lengths)
lesson.result("accuracy", {k: v for k, v in acc.items()})
lesson.check(
    "both cells learn the short task (L = 5): val accuracy > 0.95",
    bool(mean["RNN"][0] > 0.95 and mean["LSTM"][0] > 0.95),
    rnn=mean["RNN"][0],
    lstm=mean["LSTM"][0],
)
lesson.check(
    "the longest sequences are harder for both: accuracy at the longest L below that at L = 5",
    bool(mean["RNN"][-1] < mean["RNN"][0] and mean["LSTM"][-1] < mean["LSTM"][0]),
    rnn=mean["RNN"][-1],
    lstm=mean["LSTM"][-1],
)
lesson.textbook(
    "004B §2.2(2) 循环神经网络（RNN）",
    "RNN适用于处理序列数据，如时间序列、文本等。RNN可以通过记忆机制捕捉数据中的时间依赖关系",
    "an RNN captures temporal dependencies through its memory",
    f"RNN val accuracy {mean['RNN'][0]:.3f} at L = {lengths[0]} (chance {1 / K:.2f})",
    agree=bool(mean["RNN"][0] > 0.95),
    explanation="the RNN did not learn even the short dependency",
)
lstm_better = bool(mean["LSTM"][-1] > mean["RNN"][-1] + 0.05)
lesson.textbook(
    "004B §2.2(3) 长短时记忆网络（LSTM）",
    "LSTM是RNN的一种变体，通过引入门控机制，有效解决了RNN的长期依赖问题",
    "the LSTM's gates solve the RNN's long-term dependency problem",
    f"at L = {lengths[-1]}: LSTM {mean['LSTM'][-1]:.3f}, RNN {mean['RNN'][-1]:.3f} after {steps} steps",
    agree=lstm_better,
    explanation=(
        f"under the same small budget ({steps} Adam steps) the LSTM did not beat the RNN: it has 4× "
        "the weights to fit and its gates must first learn to hold the symbol; section 2 shows "
        "the mechanism that does favour it — the gradient it carries back over many steps"
    ),
)

# %% [markdown]
# ## 2. Gradients through time · 随时间反向传播的梯度
#
# **问题 Question:** 损失对第 t 步输入的梯度，随着离输出越远衰减得多快？ / How fast does the
# gradient of the loss with respect to the input at step t shrink as t moves away from the output?
#
# For freshly initialised models and a batch of length-L sequences: ‖∂L/∂x_t‖ for every t (from
# `md.autograd.grad` with respect to the input tensor). Back-propagation through time multiplies by
# the step's Jacobian once per step: for the RNN ∂h_t/∂h_{t−1} = diag(1 − h_t²) W_hh, whose norm is
# below 1 here, so the gradient shrinks geometrically; the LSTM's cell state passes back through
# c_t = f ⊙ c_{t−1} + …, i.e. multiplied only by the forget gate f (≈ σ(1) = 0.73 at this init).

# %%
grad_len = lesson.pick(60, 40)
x_g, y_g = recall_data(128, grad_len, 5)
grad_norms = {}
for kind, fb in (("RNN", 0.0), ("LSTM", 1.0), ("LSTM, forget bias 0", 0.0)):
    md.manual_seed(0)
    model = Recall(kind.split(",")[0], forget_bias=fb)
    xt = md.tensor(x_g, requires_grad=True)
    (g,) = md.autograd.grad(F.cross_entropy(model(xt), md.tensor(y_g)), [xt])
    grad_norms[kind] = np.linalg.norm(g.data, axis=(0, 2))  # (L,): one norm per time step
decay = {k: float(v[0] / v[-1]) for k, v in grad_norms.items()}  # first step vs last step
per_step = {k: float(np.exp(np.log(v[0] / v[-1]) / (grad_len - 1))) for k, v in grad_norms.items()}
lesson.print_table(
    [[k, grad_norms[k][-1], grad_norms[k][0], decay[k], per_step[k]] for k in grad_norms],
    ["model", "‖∂L/∂x‖ last step", "first step", "ratio first/last", "factor per step"],
    f"Gradient reaching each input, L = {grad_len}, at initialisation",
)
lesson.result("grad_norm_per_step", grad_norms)
lesson.result("grad_decay_first_over_last", decay)
lesson.check(
    f"the RNN's gradient vanishes over {grad_len} steps: first/last < 1e-4",
    decay["RNN"] < 1e-4,
    ratio=decay["RNN"],
)
lesson.check(
    "the LSTM (forget bias 1) keeps at least 100× more of it than the RNN",
    decay["LSTM"] > 100 * decay["RNN"],
    lstm=decay["LSTM"],
    rnn=decay["RNN"],
)
lesson.check(
    "a larger forget-gate bias keeps more gradient (bias 1 vs bias 0)",
    decay["LSTM"] > decay["LSTM, forget bias 0"],
    bias1=decay["LSTM"],
    bias0=decay["LSTM, forget bias 0"],
)

# %% [markdown]
# ## 3. Clipping at a high learning rate · 高学习率下的梯度裁剪
#
# **问题 Question:** 学习率高到梯度爆炸时，梯度范数裁剪能挽救训练吗？ / When the learning rate is
# high enough for gradients to explode, does norm clipping rescue training?
#
# Plain SGD on the RNN (L = 20) at a high learning rate, with and without
# `nn.utils.clip_grad_norm_(params, 0.1)` between `backward()` and `step()`: clipping rescales the
# whole gradient to norm ≤ 0.1 when it is larger, keeping its direction, so no single step can move
# the weights by more than lr · 0.1 — however steep the cliff the loss surface has there.

# %%
clip_lr = 2.0
clip_steps = 300  # both modes: the point is what happens late in training
clip_runs = {}
for name, clip in (("no clipping", None), ("clip_grad_norm_ 0.1", 0.1)):
    md.manual_seed(3)
    model = Recall("RNN")
    losses, norms = train(model, 20, 3, clip_steps, clip_lr, opt="sgd", clip=clip)
    finite = bool(np.all(np.isfinite(losses)))
    clip_runs[name] = {
        "final_loss": float(np.mean(losses[-20:])) if finite else float("nan"),
        "max_grad_norm": float(np.nanmax(norms)),
        "finite": finite,
        "accuracy": accuracy(model, 20) if finite else float("nan"),
        "losses": losses,
    }
lesson.print_table(
    [
        [k, v["finite"], v["final_loss"], v["max_grad_norm"], v["accuracy"]]
        for k, v in clip_runs.items()
    ],
    ["run", "loss stayed finite", "final loss (last 20)", "largest grad norm", "val acc"],
    f"SGD, lr {clip_lr}, RNN, L = 20, {clip_steps} steps",
)
lesson.result(
    "clipping",
    {k: {kk: vv for kk, vv in v.items() if kk != "losses"} for k, v in clip_runs.items()},
)
plain, clipped = clip_runs["no clipping"], clip_runs["clip_grad_norm_ 0.1"]
lesson.check(
    "without clipping the gradient norm explodes (> 1000× the clipping threshold at some step)",
    plain["max_grad_norm"] > 100.0,
    max_norm=plain["max_grad_norm"],
)
lesson.check(
    "with clipping training stays finite, ends with a lower loss and learns the task (acc > 0.9)",
    bool(
        clipped["finite"]
        and (not plain["finite"] or clipped["final_loss"] < plain["final_loss"])
        and clipped["accuracy"] > 0.9
    ),
    clipped=clipped["final_loss"],
    plain=plain["final_loss"],
)
lesson.textbook(
    "001 §7 总结：未来发展趋势与挑战",
    "如何在模型调优过程中，有效地应对梯度消失、梯度爆炸等问题，成为了一个研究挑战",
    "vanishing and exploding gradients are a challenge",
    f"vanishing: RNN gradient ratio over {grad_len} steps {decay['RNN']:.2g}; exploding: largest "
    f"gradient norm {plain['max_grad_norm']:.3g} at lr {clip_lr}, final loss "
    f"{plain['final_loss']:.3g} unclipped vs {clipped['final_loss']:.3g} clipped",
    agree=bool(decay["RNN"] < 1e-4 and plain["max_grad_norm"] > 100.0),
    explanation="neither vanishing nor exploding gradients showed up here",
)

# %% [markdown]
# ## 4. The text's LSTM and its `adjust_rnn_model` · 教材的 LSTM 与 adjust_rnn_model
#
# **问题 Question:** 给已建好的层改一个属性（`units = 128`），层真的变宽了吗？ / Does setting an
# attribute on a built layer (`units = 128`) make it wider?
#
# 000 §4.2 builds `Embedding(10000, 64) → LSTM(64) → Dense(10, softmax)`, then "adjusts" it with
# `model.layers[1].units = 128; model.layers[1].return_sequences = True`. In minidl (PyTorch's
# names) the same model is `Embedding(10000, 64) → LSTM(64, 64) → last step → Linear(64, 10)`
# (softmax lives in the loss); the width attribute is `hidden_size`.


# %%
class LastStep(nn.Module):
    """Keep the LSTM's output sequence's last step (Keras's return_sequences=False)."""

    def forward(self, out_and_state):
        out, _ = out_and_state
        return out[:, -1]


def create_rnn_model(units: int = 64) -> nn.Sequential:
    md.manual_seed(0)
    return nn.Sequential(
        nn.Embedding(10000, 64), nn.LSTM(64, units, batch_first=True), LastStep(),
        nn.Linear(units, 10),
    )  # fmt: skip


model = create_rnn_model()
before = summary(model, (12,), dtype=np.int64, print_summary=False)
n_before = sum(p.numel() for p in model.parameters())
lstm_params = sum(p.numel() for p in model[1].parameters())
keras_lstm = 4 * 64 * (64 + 64 + 1)  # Keras: one bias vector per gate
torch_lstm = 4 * 64 * (64 + 64 + 2)  # PyTorch/minidl: bias_ih and bias_hh
print(before)
lesson.check(
    "the LSTM's parameter count is 4·H·(I + H + 2) (two bias vectors, as PyTorch)",
    lstm_params == torch_lstm,
    counted=lstm_params,
    formula=torch_lstm,
)


def adjust_rnn_model(model):  # the text's function, with minidl's attribute name for `units`
    model[1].hidden_size = 128
    model[1].return_sequences = True
    return model


tokens = md.tensor(np.random.default_rng(0).integers(0, 10000, size=(2, 12)))
adjusted = adjust_rnn_model(model)
w_hh_shape = tuple(adjusted[1].weight_hh_l0.shape)
try:
    adjusted(tokens)
    outcome = "ran"
except (ValueError, RuntimeError, TypeError) as error:  # what a learner would see
    outcome = f"{type(error).__name__}: {str(error).splitlines()[0][:140]}"
print(f"after adjust_rnn_model: weight_hh_l0 still {w_hh_shape}; calling the model -> {outcome}")
lesson.result("adjust_rnn_model_outcome", outcome)
lesson.result("lstm_params_keras_torch", [keras_lstm, torch_lstm])

# the right way: a new layer of the new width, and a new head that reads it
wider = create_rnn_model(units=128)
wider[0].load_state_dict(model[0].state_dict())  # keep the trained embedding; the LSTM is new
n_wider = sum(p.numel() for p in wider.parameters())
out_shape = tuple(wider(tokens).shape)
lesson.print_table(
    [
        ["create_rnn_model()", n_before, lstm_params, "(2, 10)"],
        ["after adjust_rnn_model", n_before, lstm_params, outcome[:40]],
        ["rebuilt with LSTM(64, 128) + Linear(128, 10)", n_wider,
         sum(p.numel() for p in wider[1].parameters()), str(out_shape)],
    ],
    ["model", "parameters", "LSTM parameters", "output on (2, 12) tokens"],
    "The text's adjustment vs rebuilding",
)  # fmt: skip
lesson.check(
    "setting hidden_size leaves every weight's shape unchanged (nothing was rebuilt)",
    w_hh_shape == (256, 64) and sum(p.numel() for p in adjusted.parameters()) == n_before,
    weight_hh=str(w_hh_shape),
)
lesson.check(
    "the rebuilt model has 4·128·(64 + 128 + 2) LSTM parameters and outputs (2, 10)",
    sum(p.numel() for p in wider[1].parameters()) == 4 * 128 * (64 + 128 + 2)
    and out_shape == (2, 10),
    lstm=sum(p.numel() for p in wider[1].parameters()),
)
lesson.textbook(
    "000 §4.2 参数调整",
    "def adjust_rnn_model(model): model.layers[1].units = 128; model.layers[1].return_sequences = True",
    "the adjustment widens the LSTM to 128 units and makes it return sequences",
    f"weight_hh_l0 stays {w_hh_shape}; the model then: {outcome}",
    agree=False,
    explanation=(
        "an attribute is not the layer: its weights were created at construction with the old "
        "width, so the layer is not widened (here the forward fails; return_sequences is just a "
        "new unused attribute). Build a new LSTM(64, 128) and a new head Linear(128, 10) instead."
    ),
)
lesson.textbook(
    "000 §4.2 参数调整",
    "tf.keras.layers.LSTM(64) after Embedding(10000, 64)",
    "the text's LSTM layer: its parameter count in Keras vs PyTorch conventions",
    f"Keras 4·64·(64+64+1) = {keras_lstm}; PyTorch/minidl 4·64·(64+64+2) = {torch_lstm} (counted "
    f"{lstm_params})",
    agree=lstm_params == torch_lstm,
    explanation="the count did not follow the formula",
)

# %% [markdown]
# ## 5. Figures · 图

# %%
fig, ax = plt.subplots(1, 3, figsize=(15, 4.2))
for kind, style in (("RNN", "o-"), ("LSTM", "s-")):
    ax[0].plot(lengths, mean[kind], style, label=kind)
ax[0].axhline(1 / K, color="grey", ls=":", label="chance")
ax[0].set(title="recall the first symbol", xlabel="sequence length", ylabel="val accuracy")
ax[0].legend()
for kind, v in grad_norms.items():
    ax[1].semilogy(np.arange(grad_len), v, label=kind)
ax[1].set(title="‖∂L/∂x_t‖ at initialisation", xlabel="time step t (loss at the last)",
          ylabel="gradient norm")  # fmt: skip
ax[1].legend(fontsize=8)
for k, v in clip_runs.items():
    ax[2].plot(v["losses"], label=k)
ax[2].set(title=f"SGD lr {clip_lr}: training loss", xlabel="step", ylabel="loss", ylim=(0, 5))
ax[2].legend(fontsize=8)
fig.tight_layout()
lesson.savefig(fig, "recurrent")

# %% [markdown]
# ## What the numbers say · 结论

# %%
lesson.conclude(
    f"L = {lengths[0]} 时 RNN、LSTM 都学会（{mean['RNN'][0]:.3f}, {mean['LSTM'][0]:.3f}）；L = {lengths[-1]} 时 "
    f"RNN {mean['RNN'][-1]:.3f}、LSTM {mean['LSTM'][-1]:.3f}（{steps} 步）。",
    f"At L = {lengths[0]} both learn ({mean['RNN'][0]:.3f}, {mean['LSTM'][0]:.3f}); at L = "
    f"{lengths[-1]}: RNN {mean['RNN'][-1]:.3f}, LSTM {mean['LSTM'][-1]:.3f} ({steps} steps).",
)
lesson.conclude(
    f"初始化时，梯度经过 {grad_len} 步：RNN 剩 {decay['RNN']:.2g}（每步 ×{per_step['RNN']:.3f}），LSTM（遗忘门偏置 1）"
    f"剩 {decay['LSTM']:.2g}（每步 ×{per_step['LSTM']:.3f}）。",
    f"At initialisation, over {grad_len} steps the RNN keeps {decay['RNN']:.2g} of the gradient (×"
    f"{per_step['RNN']:.3f} per step), the LSTM with forget bias 1 keeps {decay['LSTM']:.2g} (×"
    f"{per_step['LSTM']:.3f} per step).",
)
lesson.conclude(
    f"学习率 {clip_lr} 的 SGD：不裁剪时梯度范数最大 {plain['max_grad_norm']:.3g}，最终损失 {plain['final_loss']:.3g}；"
    f"裁剪到 0.1 后 {clipped['final_loss']:.3g}（准确率 {clipped['accuracy']:.3f}）。改 hidden_size 属性不会改变权重形状；要变宽就重建该层及其后一层。",
    f"SGD at lr {clip_lr}: unclipped, the largest gradient norm is {plain['max_grad_norm']:.3g} and the "
    f"final loss {plain['final_loss']:.3g}; clipped to 0.1: {clipped['final_loss']:.3g} (accuracy "
    f"{clipped['accuracy']:.3f}). Setting "
    "hidden_size changes no weight; to widen a layer, rebuild it and the layer after it.",
)

# %%
lesson.finish()
