# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Lesson 4 · Activations and backpropagation · 激活函数与反向传播
#
# **Textbook sections:** 004B §4.3 “激活函数” (Sigmoid, ReLU, Tanh and the ReLU example), §2.1
# “深度学习模型的基本概念” (神经元, 前向传播, 反向传播), §3.1(4) “激活函数和正则化技术”, §4.2(2)
# “梯度下降算法的实现步骤”; 004A §3.4 “模型训练与验证” (训练过程); 001 §7 “总结：未来发展趋势与挑战”
# (梯度消失、梯度爆炸)
#
# **You will see:** the three activations and their derivatives checked against minidl's autograd and
# finite differences; the chain rule traced by hand through a two-layer network, number by number,
# beside autograd; what backward() does and does not do (it computes gradients; it updates nothing);
# a gradient check of a small MLP; gradient norms layer by layer in a 10-layer network — vanishing with
# sigmoid, steady with ReLU, exploding with ReLU and too large an init; and digits accuracy per
# activation over several seeds.
#
# **Time:** 3.6 s full, 1.8 s fast (after imports), measured on
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
import minidl.nn.functional as F
from minidl import nn
from minidl.testing import gradcheck, numerical_grad

lesson = Lesson("04_activations_backprop", "Activations and backpropagation", "激活函数与反向传播")

# %% [markdown]
# ## 1. The three activations (004B §4.3) · 三种激活函数
#
# **问题 Question:** 教材的公式、极限和 ReLU 例子对吗？ / Are the text's formulas, limits and ReLU example right?
#
# σ(x) = 1/(1 + e^{−x}),   ReLU(x) = max(0, x),   tanh(x) = (e^x − e^{−x})/(e^x + e^{−x}).
# We evaluate the text's formulas in NumPy and minidl's `md.sigmoid`, `F.relu`, `md.tanh` on a grid,
# check the limits the text states, and run its ReLU example.

# %%
grid = np.linspace(-30, 30, 601)
xg = md.tensor(grid)
sig, rel, tnh = md.sigmoid(xg).numpy(), F.relu(xg).numpy(), md.tanh(xg).numpy()
formula = {
    "sigmoid": 1 / (1 + np.exp(-grid)),
    "relu": np.maximum(0, grid),
    "tanh": (np.exp(grid) - np.exp(-grid)) / (np.exp(grid) + np.exp(-grid)),
}
errs = {
    "sigmoid": float(np.max(np.abs(sig - formula["sigmoid"]))),
    "relu": float(np.max(np.abs(rel - formula["relu"]))),
    "tanh": float(np.max(np.abs(tnh - formula["tanh"]))),
}
lesson.result("activation_formula_max_abs_error", errs)
where = "004B §4.3 激活函数"
lesson.textbook(
    where,
    "Sigmoid函数在 x → −∞ 时接近0，在 x → +∞ 时接近1",
    "sigmoid tends to 0 at −∞ and to 1 at +∞",
    f"σ(−30) = {sig[0]:.2e}, σ(30) = 1 − {1 - sig[-1]:.2e}",
    tol=1e-12,
    agree=bool(sig[0] < 1e-12 and 1 - sig[-1] < 1e-12),
    explanation="the limits are not 0 and 1",
)
example = F.relu(md.tensor([-2.0, 3.0])).numpy()
lesson.textbook(
    "004B §4.3 例子：ReLU激活函数在神经网络中的应用",
    "如果输入 x_i = −2，则输出 y_i = 0；如果输入 x_i = 3，则输出 y_i = 3",
    "ReLU(−2) = 0 and ReLU(3) = 3",
    f"ReLU(−2) = {example[0]:g}, ReLU(3) = {example[1]:g}",
    tol=0.0,
    agree=bool(example[0] == 0 and example[1] == 3),
    explanation="F.relu disagrees",
)
lesson.check(
    "md.sigmoid, F.relu and md.tanh equal the formulas of 004B §4.3 on [−30, 30]",
    errs["sigmoid"] < 1e-12 and errs["relu"] == 0.0 and errs["tanh"] < 1e-12,
    **errs,
)
lesson.textbook(
    where,
    "Tanh函数在 x → −∞ 时接近−1，在 x → +∞ 时接近1",
    "tanh tends to −1 at −∞ and to 1 at +∞",
    f"tanh(−30) = {tnh[0]:.15f}, tanh(30) = {tnh[-1]:.15f}",
    tol=1e-12,
    agree=bool(abs(tnh[0] + 1) < 1e-12 and abs(tnh[-1] - 1) < 1e-12),
    explanation="the limits are not ±1",
)

# %% [markdown]
# ## 2. Their derivatives, three ways · 三种方法求导
#
# **问题 Question:** 自动微分给出的导数对吗？ / Are autograd's derivatives right?
#
# σ'(x) = σ(x)(1 − σ(x)) (at most 1/4, at x = 0); tanh'(x) = 1 − tanh²(x) (at most 1);
# ReLU'(x) = 1 for x > 0, 0 for x < 0 (undefined at 0 — the grid avoids it). For each, the closed form,
# minidl's autograd (backward of the sum gives the elementwise derivative), and central finite
# differences (`minidl.testing.numerical_grad`).

# %%
xs = np.linspace(-6, 6, 240)  # an even count: 0 is not on the grid
acts = {"sigmoid": md.sigmoid, "tanh": md.tanh, "relu": F.relu}
s_np = 1 / (1 + np.exp(-xs))
closed = {"sigmoid": s_np * (1 - s_np), "tanh": 1 - np.tanh(xs) ** 2, "relu": (xs > 0) * 1.0}
rows, deriv_ok, derivs = [], True, {}
for name, fn in acts.items():
    x = md.tensor(xs, requires_grad=True)
    fn(x).sum().backward()
    (fd,) = numerical_grad(fn, md.tensor(xs))
    e_auto = float(np.max(np.abs(x.grad - closed[name])))
    e_fd = float(np.max(np.abs(fd - closed[name])))
    derivs[name] = x.grad.data.copy()
    deriv_ok &= e_auto < 1e-12 and e_fd < 1e-6  # f.d. error ~ rounding/eps
    rows.append([name, e_auto, e_fd, float(x.grad.max())])
lesson.print_table(
    rows,
    ["activation", "max |autograd − closed form|", "max |finite diff − closed form|", "max f'"],
)
lesson.check(
    "autograd and finite differences both match the closed-form derivatives",
    deriv_ok,
    rows=rows,
)
lesson.check(
    "the sigmoid's slope never exceeds 1/4 (tanh's never exceeds 1)",
    derivs["sigmoid"].max() <= 0.25 + 1e-15 and derivs["tanh"].max() <= 1 + 1e-15,
    sigmoid_max=float(derivs["sigmoid"].max()),
    tanh_max=float(derivs["tanh"].max()),
)

# %% [markdown]
# ## 3. The chain rule, traced through a tiny network (004B §2.1) · 链式法则
#
# **问题 Question:** backward() 算了什么、改了什么？ / What does backward() compute, and what does it change?
#
# A neuron (004B §2.1) takes a weighted sum plus a bias and applies an activation. Two of them in a
# hidden layer, one linear output, a squared error:
#
#     z = W1 x + b1,   h = σ(z),   ŷ = W2 h + b2,   L = (ŷ − y)²
#
# Backpropagation applies the chain rule from the loss back to every parameter, reusing each upstream
# gradient once:
#
#     ∂L/∂ŷ = 2(ŷ − y)
#     ∂L/∂W2 = ∂L/∂ŷ · hᵀ,   ∂L/∂b2 = ∂L/∂ŷ
#     ∂L/∂h = W2ᵀ ∂L/∂ŷ
#     ∂L/∂z = ∂L/∂h ⊙ σ(z)(1 − σ(z))
#     ∂L/∂W1 = ∂L/∂z · xᵀ,   ∂L/∂b1 = ∂L/∂z
#
# We compute each line by hand in NumPy and compare with what minidl's `backward()` put in `.grad`.

# %%
x_np, y_true = np.array([1.0, -2.0]), 1.0
W1 = md.tensor([[0.5, -0.3], [0.8, 0.2]], dtype=md.float64, requires_grad=True)
b1 = md.tensor([0.1, -0.1], dtype=md.float64, requires_grad=True)
W2 = md.tensor([[1.5, -1.0]], dtype=md.float64, requires_grad=True)
b2 = md.tensor([0.2], dtype=md.float64, requires_grad=True)
params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
before = {k: v.data.copy() for k, v in params.items()}

z = F.linear(md.tensor(x_np), W1, b1)
h = md.sigmoid(z)
yhat = F.linear(h, W2, b2)
L = ((yhat - y_true) ** 2).sum()
L.backward()

# by hand, from the output back
zn = W1.data @ x_np + b1.data
hn = 1 / (1 + np.exp(-zn))
yn = W2.data @ hn + b2.data
dL_dy = 2 * (yn - y_true)
dL_dW2 = np.outer(dL_dy, hn)
dL_db2 = dL_dy
dL_dh = W2.data.T @ dL_dy
dL_dz = dL_dh * hn * (1 - hn)
dL_dW1 = np.outer(dL_dz, x_np)
dL_db1 = dL_dz
trace = [
    ["forward", "z = W1 x + b1", zn, z.data],
    ["forward", "h = σ(z)", hn, h.data],
    ["forward", "ŷ = W2 h + b2", yn, yhat.data],
    ["forward", "L = (ŷ − y)²", float(((yn - y_true) ** 2).sum()), L.data],
    ["backward", "∂L/∂W2 = ∂L/∂ŷ hᵀ", dL_dW2, W2.grad],
    ["backward", "∂L/∂b2 = ∂L/∂ŷ", dL_db2, b2.grad],
    ["backward", "∂L/∂W1 = (W2ᵀ∂L/∂ŷ ⊙ σ'(z)) xᵀ", dL_dW1, W1.grad],
    ["backward", "∂L/∂b1 = W2ᵀ∂L/∂ŷ ⊙ σ'(z)", dL_db1, b1.grad],
]
lesson.print_table(
    [[a, b, np.round(c, 6).tolist(), np.round(d, 6).tolist()] for a, b, c, d in trace],
    ["pass", "quantity", "by hand", "minidl"],
    "The chain rule, by hand and by backward()",
)
trace_err = max(float(np.max(np.abs(np.asarray(c) - np.asarray(d)))) for _, _, c, d in trace)
lesson.result("chain_rule_max_abs_error", trace_err)
neuron_err = float(np.max(np.abs(h.data - 1 / (1 + np.exp(-(W1.data @ x_np + b1.data))))))
lesson.check(
    "a neuron (004B §2.1): F.linear + sigmoid is σ(Σ_j w_ij x_j + b_i) computed by hand",
    neuron_err < 1e-12,
    max_abs_error=neuron_err,
)
lesson.check(
    "every hand-computed value and gradient equals minidl's",
    trace_err < 1e-12,
    max_abs_error=trace_err,
)

# %% [markdown]
# What did `backward()` change? The text describes it three ways: 004B §2.1 — it computes the gradient
# of the loss with respect to the parameters, which gradient descent then uses to update them; 004A §3.4
# — "计算模型参数的梯度，并更新模型参数" (it computes the gradients *and* updates the parameters);
# 004B §4.2(2) — "后向传播：将更新后的参数传递给下一层" (it passes the updated parameters to the next layer).
# We look: after `backward()`, are the parameters changed? Only `optimizer.step()` should change them.

# %%
after_backward = max(float(np.max(np.abs(v.data - before[k]))) for k, v in params.items())
opt = md.optim.SGD(list(params.values()), lr=0.1)
opt.step()
step_err = max(
    float(np.max(np.abs(v.data - (before[k] - 0.1 * v.grad)))) for k, v in params.items()
)
has_all_grads = all(v.grad is not None for v in params.values())
lesson.print_table(
    [
        ["max |Δθ| after loss.backward()", after_backward],
        ["every parameter has .grad", has_all_grads],
        ["max |θ − (θ_before − 0.1·grad)| after opt.step()", step_err],
    ],
    ["what", "value"],
    "backward() computes; step() updates",
)
lesson.check(
    "backward() fills .grad and changes no parameter; SGD.step() applies θ − α·grad",
    after_backward == 0.0 and has_all_grads and step_err < 1e-15,
    changed_by_backward=after_backward,
    step_error=step_err,
)
lesson.textbook(
    "004B §2.1 深度学习模型的基本概念（反向传播）",
    "反向传播是神经网络训练的基本算法，用于计算损失函数对网络参数的梯度，并通过梯度下降等方法更新参数",
    "backprop computes the loss's gradient w.r.t. the parameters; gradient descent then updates them",
    f"gradients match the hand chain rule to {trace_err:.1e}; parameters change only in opt.step()",
    tol=1e-12,
    agree=trace_err < 1e-12 and after_backward == 0.0,
    explanation="backward() did not give the chain-rule gradients",
)
lesson.textbook(
    "004A §3.4 模型训练与验证（训练过程）",
    "反向传播：根据损失函数，计算模型参数的梯度，并更新模型参数",
    "backpropagation computes the parameters' gradients and updates the parameters",
    f"max |Δθ| after backward() = {after_backward:g}; the update is the separate opt.step()",
    agree=after_backward != 0.0,
    explanation=(
        "backpropagation only computes gradients; the update is a separate optimizer step "
        "(the text merges two steps)"
    ),
)
lesson.textbook(
    "004B §4.2(2) 梯度下降算法的实现步骤",
    "后向传播：将更新后的参数传递给下一层，继续进行前向传播和损失计算",
    "the backward pass passes the updated parameters on to the next layer",
    f"backward() moves gradients from the loss towards the input and changes no parameter "
    f"(max |Δθ| = {after_backward:g})",
    agree=after_backward != 0.0,
    explanation=(
        "the backward pass carries gradients, output to input, before any update; "
        "the updated parameters are simply used by the next forward pass"
    ),
)

# %% [markdown]
# ## 4. A gradient check of a small MLP · 小型 MLP 的梯度检查
#
# **问题 Question:** 整个网络的梯度对吗？ / Are a whole network's gradients right?
#
# The tiny network could be checked by hand; a real one cannot. `minidl.testing.gradcheck` compares
# backward() with central finite differences for every parameter at once (float64, random upstream
# gradient): a 3-layer MLP with ReLU and tanh, a cross-entropy loss, 8 samples.

# %%
g = np.random.default_rng(0)
xb = md.tensor(g.normal(size=(8, 5)))
yb = g.integers(0, 4, size=8)
mlp_params = [
    md.tensor(g.normal(0, 0.5, size=shape), requires_grad=True)
    for shape in [(7, 5), (7,), (6, 7), (6,), (4, 6), (4,)]
]


def mlp_loss(Wa, ba, Wb, bb, Wc, bc):
    """Cross-entropy of a 5 → 7 (ReLU) → 6 (tanh) → 4 MLP on the 8 fixed samples."""
    hidden = F.relu(F.linear(xb, Wa, ba))
    hidden = md.tanh(F.linear(hidden, Wb, bb))
    return F.cross_entropy(F.linear(hidden, Wc, bc), yb)


gc_ok = gradcheck(mlp_loss, mlp_params, raise_exception=False)
lesson.check(
    "gradcheck passes for a 3-layer MLP (ReLU, tanh, cross-entropy)", gc_ok, gradcheck=gc_ok
)

# %% [markdown]
# ## 5. Vanishing and exploding gradients, layer by layer (001 §7; 004B §3.1(4), §4.3) · 梯度消失与爆炸
#
# **问题 Question:** 梯度逐层怎样变化？ / How does the gradient change from layer to layer?
#
# Write z_l = W_l h_{l−1} + b_l for layer l's pre-activation and δ_l = ∂L/∂z_l for the gradient that
# backpropagation delivers there. Going one layer back multiplies by W_lᵀ and by the activation's slope:
# δ_{l−1} = (W_lᵀ δ_l) ⊙ f'(z_{l−1}). With sigmoid the slope is at most 1/4, so δ shrinks by about that
# factor per layer: it *vanishes* before it reaches the first layers. ReLU's slope is 1 where it is
# active, and with He initialisation (std √(2/fan_in)) δ keeps its size; with twice that std it grows by
# about 2 per layer: it *explodes*. We measure ‖δ_l‖ (kept with `retain_grad()`) and the weight
# gradients ‖∂L/∂W_l‖ = ‖δ_l h_{l−1}ᵀ‖ for each of 10 layers of width 64, on a batch of digits.

# %%
X_dig, y_dig = load_digits(return_X_y=True)
X_dig = X_dig / 16.0


def deep_net(activation: str, init: str, depth: int, seed: int):
    """A list of `depth` Linear layers (64 wide) and a forward function that also returns each z_l."""
    gen = np.random.default_rng(seed)
    sizes = [64] + [64] * (depth - 1) + [10]
    layers = [nn.Linear(sizes[i], sizes[i + 1]) for i in range(depth)]
    for lin in layers:
        if init == "xavier":
            nn.init.xavier_normal_(lin.weight, generator=gen)
        elif init == "he":
            nn.init.kaiming_normal_(lin.weight, nonlinearity="relu", generator=gen)
        elif init == "2×he":
            nn.init.kaiming_normal_(lin.weight, nonlinearity="relu", generator=gen)
            with md.no_grad():
                lin.weight.mul_(2.0)
        nn.init.zeros_(lin.bias)
    act = {"sigmoid": md.sigmoid, "tanh": md.tanh, "relu": F.relu}[activation]

    def forward(x):
        zs = []
        for k, lin in enumerate(layers):
            z = lin(x)
            z.retain_grad()  # keep δ_l = ∂L/∂z_l after backward (non-leaf tensors drop it)
            zs.append(z)
            x = act(z) if k < len(layers) - 1 else z
        return x, zs

    return layers, forward


configs = [("sigmoid", "xavier"), ("tanh", "xavier"), ("relu", "he"), ("relu", "2×he")]
depth = 10
norm_seeds = list(range(lesson.pick(3, 2)))
batch = np.random.default_rng(0).choice(len(X_dig), 256, replace=False)
xbatch, ybatch = md.tensor(X_dig[batch].astype(np.float32)), y_dig[batch]
delta_norms, weight_norms = {}, {}
logit_std = {c: [] for c in configs}  # the size of the network's output under each init
for activation, init in configs:
    deltas, weights = [], []
    for seed in norm_seeds:
        layers, forward = deep_net(activation, init, depth, seed)
        logits, zs = forward(xbatch)
        F.cross_entropy(logits, ybatch).backward()
        logit_std[(activation, init)].append(float(np.std(logits.data)))
        deltas.append([float(np.linalg.norm(z.grad)) for z in zs])
        weights.append([float(np.linalg.norm(lin.weight.grad)) for lin in layers])
    delta_norms[(activation, init)] = np.array(deltas)  # (seeds, layers)
    weight_norms[(activation, init)] = np.array(weights)
ratio = {k: n[:, 0] / n[:, -1] for k, n in delta_norms.items()}  # first layer over last, per seed
w_ratio = {k: n[:, 0] / n[:, -1] for k, n in weight_norms.items()}
lesson.print_table(
    [
        [
            f"{a} / {i}",
            ratio[(a, i)].min(),
            ratio[(a, i)].max(),
            w_ratio[(a, i)].min(),
            w_ratio[(a, i)].max(),
        ]
        for a, i in configs
    ],
    ["activation / init", "‖δ_1‖/‖δ_10‖ min", "max", "‖∂L/∂W_1‖/‖∂L/∂W_10‖ min", "max"],
    f"Gradient size at the first layer relative to the last, {depth} layers, {len(norm_seeds)} seeds",
)
lesson.result("delta_first_over_last", {f"{a}/{i}": r for (a, i), r in ratio.items()})
lesson.result("weight_grad_first_over_last", {f"{a}/{i}": r for (a, i), r in w_ratio.items()})
lesson.check(
    "sigmoid: δ and ∂L/∂W at the first layer are < 1/1000 of the last layer's, in every seed",
    bool(
        np.all(ratio[("sigmoid", "xavier")] < 1e-3)
        and np.all(w_ratio[("sigmoid", "xavier")] < 1e-3)
    ),
    delta_ratios=ratio[("sigmoid", "xavier")],
    weight_ratios=w_ratio[("sigmoid", "xavier")],
)
lesson.check(
    "ReLU with He init: ‖δ_1‖/‖δ_10‖ stays between 1/10 and 10, in every seed",
    bool(np.all((ratio[("relu", "he")] > 0.1) & (ratio[("relu", "he")] < 10))),
    ratios=ratio[("relu", "he")],
)
lesson.check(
    "ReLU with 2× He init: δ at the first layer is > 100× the last layer's (explosion), every seed",
    bool(np.all(ratio[("relu", "2×he")] > 100)),
    ratios=ratio[("relu", "2×he")],
)

# %% [markdown]
# Look at the last column for ReLU with 2× He: the *weight* gradients stay level although δ explodes.
# ∂L/∂W_l = δ_l h_{l−1}ᵀ, and the activations h grow forward by the same factor 2 per layer that δ
# grows backward, so the product is the same at every layer. The explosion is in the signal and in the
# activations themselves (the size of the logits is printed below); with sigmoid nothing compensates,
# so the weight gradients vanish with δ.

# %%
logit_growth = np.mean(logit_std[("relu", "2×he")]) / np.mean(logit_std[("relu", "he")])
print(
    f"std of the logits, 2× He over He init: {logit_growth:.3g} "
    f"(≈ 2^{np.log2(logit_growth):.3g}; {depth} layers of weights twice as large)"
)
lesson.result("logit_std_2he_over_he", logit_growth)
lesson.check(
    "ReLU with 2× He init: weight gradients stay within 10× across layers (h grows as δ does)",
    bool(np.all((w_ratio[("relu", "2×he")] > 0.1) & (w_ratio[("relu", "2×he")] < 10))),
    ratios=w_ratio[("relu", "2×he")],
)
lesson.textbook(
    "004B §4.3 激活函数 / §3.1(4) 激活函数和正则化技术",
    "ReLU函数 … 具有计算效率高且不易梯度消失的优点",
    "ReLU is efficient and not prone to vanishing gradients (only the gradient part is checked)",
    f"‖δ_1‖/‖δ_10‖ over 10 layers: ReLU (He init) {ratio[('relu', 'he')].mean():.2g}, "
    f"sigmoid (Xavier) {ratio[('sigmoid', 'xavier')].mean():.2g}",
    agree=bool(np.all(ratio[("relu", "he")] > 100 * ratio[("sigmoid", "xavier")])),
    explanation="ReLU's gradients shrank about as much as sigmoid's",
)
lesson.check(
    "both problems 001 §7 names are seen: vanishing (sigmoid) and exploding (ReLU, 2× He) gradients",
    bool(np.all(ratio[("sigmoid", "xavier")] < 1e-3) and np.all(ratio[("relu", "2×he")] > 100)),
    sigmoid=ratio[("sigmoid", "xavier")].mean(),
    relu_2he=ratio[("relu", "2×he")].mean(),
)

# %% [markdown]
# ## 6. Does it matter for training? Digits, one network per activation · 对训练的影响
#
# **问题 Question:** 激活函数的选择对训练有影响吗？ / Does the choice of activation matter for training?
#
# The same MLP (64 → 64 → 64 → 64 → 10, minidl's default initialisation, as PyTorch's), plain SGD with
# learning rate 0.1 and batches of 32, trained with each activation on the same split, over several
# seeds. Validation accuracy after each epoch.


# %%
def train_digits(activation: str, seed: int, epochs: int):
    """Train a 3-hidden-layer MLP with `activation` on digits; validation accuracy per epoch."""
    md.manual_seed(seed)
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(X_dig))
    tr, va = idx[:1400], idx[1400:]
    act = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}[activation]
    model = nn.Sequential(
        nn.Linear(64, 64),
        act(),
        nn.Linear(64, 64),
        act(),
        nn.Linear(64, 64),
        act(),
        nn.Linear(64, 10),
    )
    opt = md.optim.SGD(model.parameters(), lr=0.1)
    Xtr, ytr = X_dig[tr].astype(np.float32), y_dig[tr]
    Xva, yva = md.tensor(X_dig[va].astype(np.float32)), y_dig[va]
    accs = []
    for _ in range(epochs):
        order = rng.permutation(len(tr))
        for i in range(0, len(order), 32):
            b = order[i : i + 32]
            loss = F.cross_entropy(model(md.tensor(Xtr[b])), ytr[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
        with md.no_grad():
            accs.append(float(np.mean(model(Xva).numpy().argmax(axis=1) == yva)))
    return np.array(accs)


epochs = lesson.pick(10, 4)
train_seeds = list(range(lesson.pick(3, 2)))
digits_acc = {
    a: np.array([train_digits(a, s, epochs) for s in lesson.progress(train_seeds, f"digits, {a}")])
    for a in acts
}
lesson.print_table(
    [
        [a, acc[:, 0].mean(), acc[:, -1].mean(), acc[:, -1].min(), acc[:, -1].max()]
        for a, acc in digits_acc.items()
    ],
    ["activation", "val acc ep 1", f"ep {epochs} mean", "worst seed", "best seed"],
    f"digits, 3 hidden layers, SGD lr=0.1, {len(train_seeds)} seeds",
)
lesson.result("digits_val_acc", {a: acc.mean(axis=0) for a, acc in digits_acc.items()})
final = {a: acc[:, -1] for a, acc in digits_acc.items()}
lesson.check(
    f"after {epochs} epochs ReLU and tanh each beat sigmoid by more than 20 points, in every seed",
    bool(
        np.all(final["relu"] > final["sigmoid"] + 0.2)
        and np.all(final["tanh"] > final["sigmoid"] + 0.2)
    ),
    relu=final["relu"],
    tanh=final["tanh"],
    sigmoid=final["sigmoid"],
)

# %% [markdown]
# ## 7. Figures · 图
#
# **问题 Question:** 图上能看到什么？ / What do the pictures show?

# %%
fig, ax = plt.subplots(1, 3, figsize=(15, 4.2))
a = ax[0]
xs_plot = np.linspace(-6, 6, 240)
for k, (name, fn) in enumerate(acts.items()):
    a.plot(xs_plot, fn(md.tensor(xs_plot)).numpy(), color=f"C{k}", label=name)
    a.plot(xs_plot, derivs[name], "--", color=f"C{k}", label=f"{name}' (autograd)")
a.set(title="Activations (solid) and derivatives (dashed)", xlabel="x", ylim=(-1.2, 2))
a.legend(fontsize=7)
a = ax[1]
for (activation, init), n in delta_norms.items():
    mean = np.exp(np.log(n).mean(axis=0))
    a.semilogy(np.arange(1, depth + 1), mean, marker="o", ms=3, label=f"{activation}, {init} init")
a.set(
    title="‖δ_l‖ = ‖∂L/∂z_l‖ per layer (geometric mean over seeds)",
    xlabel="layer l (1 = input side)",
)
a.legend(fontsize=8)
a = ax[2]
for name, acc in digits_acc.items():
    a.plot(np.arange(1, epochs + 1), acc.mean(axis=0), marker="o", ms=3, label=name)
    a.fill_between(np.arange(1, epochs + 1), acc.min(axis=0), acc.max(axis=0), alpha=0.2)
a.set(
    title="digits validation accuracy (band: min–max over seeds)", xlabel="epoch", ylabel="accuracy"
)
a.legend()
fig.tight_layout()
lesson.savefig(fig, "activations_backprop")

# %% [markdown]
# ## What the numbers say · 结论

# %%
chance = 1 / len(np.unique(y_dig))
sig_ratio = ratio[("sigmoid", "xavier")].mean()
lesson.check(
    "the sigmoid network does not train: within 5 points of chance in every seed",
    bool(np.all(np.abs(final["sigmoid"] - chance) < 0.05)),
    sigmoid=final["sigmoid"],
    chance=chance,
)
lesson.conclude(
    "教材给出的 sigmoid、ReLU、tanh 的极限和 ReLU 例子都对；自动微分的导数与闭式解、有限差分一致。",
    "The text's limits of sigmoid, ReLU and tanh and its ReLU example are right; autograd's "
    "derivatives match the closed forms and finite differences.",
)
lesson.conclude(
    f"反向传播只计算梯度（backward() 后参数变化 {after_backward:g}），更新是优化器单独的一步；"
    "004A §3.4 把两步混为一谈，004B §4.2(2) 的“把更新后的参数传给下一层”不是实际发生的事。",
    f"Backpropagation only computes gradients (parameters change by {after_backward:g} in "
    "backward()); the update is the optimizer's separate step. 004A §3.4 merges the two; 004B "
    "§4.2(2)'s “passing updated parameters on” is not what happens.",
)
lesson.conclude(
    f"{depth} 层 sigmoid 网络中第一层梯度只有最后一层的 {sig_ratio:.1e}（梯度消失）；ReLU + He 初始化保持同量级；"
    f"初始化加倍则梯度随深度增长（爆炸）。",
    f"Through {depth} sigmoid layers the first layer's gradient is {sig_ratio:.1e} of the last's "
    "(vanishing); ReLU with He init keeps it level; twice that init makes it grow (exploding).",
)
lesson.conclude(
    f"sigmoid 网络根本没有训练起来：{epochs} 轮后验证准确率 {final['sigmoid'].mean():.3f}，"
    f"等于随机猜测的 {chance:.3f}——它前几层的梯度已经消失了（上面测得的 {sig_ratio:.1e}）；"
    f"ReLU 和 tanh 达到 {final['relu'].mean():.3f} 和 {final['tanh'].mean():.3f}。",
    f"The sigmoid network does not train: validation accuracy {final['sigmoid'].mean():.3f} after "
    f"{epochs} epochs is chance ({chance:.3f}) — its first layers get almost no gradient (the "
    f"{sig_ratio:.1e} measured above). ReLU and tanh reach {final['relu'].mean():.3f} and "
    f"{final['tanh'].mean():.3f}.",
)

# %%
lesson.finish()
