"""One time step of an RNN, an LSTM and a GRU, each fused into a single autograd Function (speed).

Unrolled from ops, an LSTM step records about fourteen nodes (two products, a sum, four gate slices,
five activations, the cell update); over a hundred steps the Python bookkeeping dwarfs the
arithmetic. Here each step is one node whose backward is the chain rule written out once. The results
are the same as the composition (the tests check both against finite differences and PyTorch).
The cells (`recurrent_cells.py`) apply one step; the layers (`recurrent_layers.py`) chain them.
"""

from __future__ import annotations

import numpy as np

from minidl.autograd import Function


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = ½ (1 + tanh(x/2)): the same function, and it never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _pre_activation(x, h, w_ih, w_hh, b_ih, b_hh) -> np.ndarray:
    """a = x W_ihᵀ + h W_hhᵀ + b_ih + b_hh:  (N, in), (N, H) -> (N, G)."""
    a = x @ w_ih.T
    a += h @ w_hh.T
    if b_ih is not None:
        a += b_ih
    if b_hh is not None:
        a += b_hh
    return a


def _input_grads(ctx, da: np.ndarray, x, h, w_ih, w_hh) -> tuple:
    """Gradients of a = x W_ihᵀ + h W_hhᵀ + b_ih + b_hh given dL/da (N, G), for (x, h, W_ih, W_hh,
    b_ih, b_hh): dx = da W_ih, dh = da W_hh, dW_ih = daᵀ x, dW_hh = daᵀ h, db = Σ_n da."""
    need = ctx.needs_input_grad
    dx = da @ w_ih if need[0] else None
    dh = da @ w_hh if need[1] else None
    dw_ih = da.T @ x if need[ctx.w_ih_index] else None
    dw_hh = da.T @ h if need[ctx.w_ih_index + 1] else None
    db = da.sum(axis=0) if need[ctx.w_ih_index + 2] or need[ctx.w_ih_index + 3] else None
    return dx, dh, dw_ih, dw_hh, db


class RNNStep(Function):
    """h' = φ(a),  a = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh,  φ = tanh or relu.

    dL/da = dL/dh' ⊙ φ'(a), with tanh' = 1 − h'² and relu' = [a > 0] (read off h' > 0); then
    `_input_grads` passes dL/da back to x, h and the weights."""

    @staticmethod
    def check_nonlinearity(layer: str, nonlinearity) -> str:
        """'tanh' or 'relu', or an error naming the layer."""
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"{layer}: Unknown nonlinearity {nonlinearity!r}; expected 'tanh' or 'relu'"
            )
        return nonlinearity

    @staticmethod
    def forward(ctx, x, h, w_ih, w_hh, b_ih, b_hh, nonlinearity="tanh"):
        a = _pre_activation(x, h, w_ih, w_hh, b_ih, b_hh)
        h_new = np.tanh(a, out=a) if nonlinearity == "tanh" else np.maximum(a, 0, out=a)
        ctx.save_for_backward(x, h, w_ih, w_hh, h_new)
        ctx.nonlinearity, ctx.w_ih_index = nonlinearity, 2
        return h_new

    @staticmethod
    def backward(ctx, grad):
        x, h, w_ih, w_hh, h_new = ctx.saved_tensors
        if ctx.nonlinearity == "tanh":
            da = grad * (1 - h_new * h_new)
        else:
            da = grad * (h_new > 0)
        dx, dh, dw_ih, dw_hh, db = _input_grads(ctx, da, x, h, w_ih, w_hh)
        return dx, dh, dw_ih, dw_hh, db, db


class LSTMStep(Function):
    """One LSTM step with PyTorch's gate order; returns [h' | c'] side by side, shape (N, 2H).

        [a_i, a_f, a_g, a_o] = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh
        i = σ(a_i)  f = σ(a_f)  g = tanh(a_g)  o = σ(a_o)
        c' = f ⊙ c + i ⊙ g        h' = o ⊙ tanh(c')

    Backward, from dL/dh' and dL/dc' (the latter from the next step):
        dc = dL/dc' + dL/dh' ⊙ o ⊙ (1 − tanh²(c'))          (all the gradient reaching c')
        da_i = dc ⊙ g ⊙ i(1 − i)   da_f = dc ⊙ c ⊙ f(1 − f)   da_g = dc ⊙ i ⊙ (1 − g²)
        da_o = dL/dh' ⊙ tanh(c') ⊙ o(1 − o)                  dL/dc = dc ⊙ f
    and dL/da goes back to x, h and the weights as in any affine map.
    """

    @staticmethod
    def forward(ctx, x, h, c, w_ih, w_hh, b_ih, b_hh):
        # h and c (and x, in upper layers) arrive as column slices of a previous [h | c]: strided
        # views that NumPy's matmul would not hand to BLAS (a ~100× slower loop): make them contiguous
        x, h, c = np.ascontiguousarray(x), np.ascontiguousarray(h), np.ascontiguousarray(c)
        H = h.shape[1]
        a = _pre_activation(x, h, w_ih, w_hh, b_ih, b_hh)  # (N, 4H)
        i, f, o = _sigmoid(a[:, :H]), _sigmoid(a[:, H : 2 * H]), _sigmoid(a[:, 3 * H :])
        g = np.tanh(a[:, 2 * H : 3 * H])
        out = np.empty((h.shape[0], 2 * H), dtype=a.dtype)
        c_new = out[:, H:]
        np.multiply(f, c, out=c_new)
        c_new += i * g
        tanh_c = np.tanh(c_new)
        np.multiply(o, tanh_c, out=out[:, :H])
        ctx.save_for_backward(x, h, c, w_ih, w_hh, i, f, g, o, tanh_c)
        ctx.w_ih_index = 3
        return out

    @staticmethod
    def backward(ctx, grad):
        x, h, c, w_ih, w_hh, i, f, g, o, tanh_c = ctx.saved_tensors
        H = h.shape[1]
        gh, gc = grad[:, :H], grad[:, H:]
        dc = gc + gh * o * (1 - tanh_c * tanh_c)
        da = np.empty((h.shape[0], 4 * H), dtype=grad.dtype)
        da[:, :H] = dc * g * i * (1 - i)
        da[:, H : 2 * H] = dc * c * f * (1 - f)
        da[:, 2 * H : 3 * H] = dc * i * (1 - g * g)
        da[:, 3 * H :] = gh * tanh_c * o * (1 - o)
        dx, dh, dw_ih, dw_hh, db = _input_grads(ctx, da, x, h, w_ih, w_hh)
        dc_prev = dc * f if ctx.needs_input_grad[2] else None
        return dx, dh, dc_prev, dw_ih, dw_hh, db, db


class GRUStep(Function):
    """One GRU step with PyTorch's gate order (r, z, n) within the 3H rows:

        [i_r, i_z, i_n] = x W_ihᵀ + b_ih        [h_r, h_z, h_n] = h W_hhᵀ + b_hh
        r = σ(i_r + h_r)   z = σ(i_z + h_z)   n = tanh(i_n + r ⊙ h_n)
        h' = (1 − z) ⊙ n + z ⊙ h

    The reset gate multiplies h W_hnᵀ + b_hn (PyTorch's and cuDNN's form, not r ⊙ h before the
    product as in Cho et al.), which is why the two biases are kept apart. Backward, from g = dL/dh':
        dn = g (1 − z)   dz = g (h − n)   da_n = dn (1 − n²)   dr = da_n ⊙ h_n
        d[i_r, i_z, i_n] = [dr r(1 − r), dz z(1 − z), da_n]
        d[h_r, h_z, h_n] = [dr r(1 − r), dz z(1 − z), da_n ⊙ r]     dL/dh = g z + d[h_·] W_hh
    """

    @staticmethod
    def forward(ctx, x, h, w_ih, w_hh, b_ih, b_hh):
        x, h = np.ascontiguousarray(x), np.ascontiguousarray(h)
        H = h.shape[1]
        gi = x @ w_ih.T  # (N, 3H)
        gh = h @ w_hh.T
        if b_ih is not None:
            gi += b_ih
        if b_hh is not None:
            gh += b_hh
        r = _sigmoid(gi[:, :H] + gh[:, :H])
        z = _sigmoid(gi[:, H : 2 * H] + gh[:, H : 2 * H])
        h_n = gh[:, 2 * H :]
        n = np.tanh(gi[:, 2 * H :] + r * h_n)
        ctx.save_for_backward(x, h, w_ih, w_hh, r, z, n, h_n)
        return n + z * (h - n)

    @staticmethod
    def backward(ctx, g):
        x, h, w_ih, w_hh, r, z, n, h_n = ctx.saved_tensors
        need = ctx.needs_input_grad
        da_n = g * (1 - z) * (1 - n * n)
        da_r = da_n * h_n * r * (1 - r)
        da_z = g * (h - n) * z * (1 - z)
        dgi = np.concatenate([da_r, da_z, da_n], axis=1)  # (N, 3H)
        dgh = np.concatenate([da_r, da_z, da_n * r], axis=1)
        dx = dgi @ w_ih if need[0] else None
        dh = g * z + dgh @ w_hh if need[1] else None
        dw_ih = dgi.T @ x if need[2] else None
        dw_hh = dgh.T @ h if need[3] else None
        db_ih = dgi.sum(axis=0) if need[4] else None
        db_hh = dgh.sum(axis=0) if need[5] else None
        return dx, dh, dw_ih, dw_hh, db_ih, db_hh
