"""kernels.adam_step, Adam's fused update: every backend gives the reference's bits, the optimizer
gives the same bits through it as through its NumPy passes, and bad arguments are refused clearly."""

import numpy as np
import pytest

import minidl as md
from minidl import kernels
from minidl.optim import adam as adam_module

BACKENDS = kernels.available_backends()
SCALARS = dict(beta1=0.9, beta2=0.999, step_size=1e-3 / (1 - 0.9**3),
               sqrt_bias_correction2=(1 - 0.999**3) ** 0.5, eps=1e-8)  # fmt: skip


def arrays(rng, shape, dtype):
    p, g, m = (np.asarray(rng.standard_normal(shape), dtype) for _ in range(3))
    v = np.asarray(np.abs(rng.standard_normal(shape)), dtype)
    return p, g, m, v


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(), (1,), (7, 13), (3, 4, 5, 6)])
def test_every_backend_gives_the_references_bits(backend, dtype, shape):
    rng = np.random.default_rng(len(shape))
    assert_same_bits_as_the_reference(backend, arrays(rng, shape, dtype))


def assert_same_bits_as_the_reference(backend, state):
    """One step on `backend` and on the NumPy reference, from copies of (p, g, m, v)."""
    want = [a.copy() for a in state]
    got = [a.copy() for a in want]
    with kernels.use_backend("numpy"):
        kernels.adam_step(*want, **SCALARS)
    with kernels.use_backend(backend):
        kernels.adam_step(*got, **SCALARS)
    for name, g, w in zip(("param", "grad", "exp_avg", "exp_avg_sq"), got, want, strict=True):
        np.testing.assert_array_equal(g, w, err_msg=name)


def test_the_reference_is_adams_rule():
    rng = np.random.default_rng(0)
    p, g, m, v = (a.astype(np.float64) for a in arrays(rng, (50,), np.float64))
    m2 = 0.9 * m + 0.1 * g
    v2 = 0.999 * v + 0.001 * g * g
    t = 3
    want = p - 1e-3 * (m2 / (1 - 0.9**t)) / (np.sqrt(v2 / (1 - 0.999**t)) + 1e-8)
    with kernels.use_backend("numpy"):
        kernels.adam_step(p, g, m, v, **SCALARS)
    np.testing.assert_allclose(m, m2, rtol=1e-14)
    np.testing.assert_allclose(v, v2, rtol=1e-14)
    np.testing.assert_allclose(p, want, rtol=1e-12)


def test_adam_gives_the_same_bits_with_and_without_the_fused_step(monkeypatch):
    def train(fused):
        monkeypatch.setattr(adam_module, "_fusable", adam_module._fusable if fused else
                            (lambda *a: False))  # fmt: skip
        md.manual_seed(0)
        net = md.nn.Sequential(md.nn.Linear(5, 8), md.nn.ReLU(), md.nn.Linear(8, 3))
        opt = md.optim.Adam(net.parameters(), lr=0.01, weight_decay=0.1)
        x = md.tensor(np.random.default_rng(1).standard_normal((16, 5)).astype(np.float32))
        for _ in range(5):
            opt.zero_grad()
            (net(x) ** 2).mean().backward()
            opt.step()
        return [p.data.copy() for p in net.parameters()]

    calls = []
    real = kernels.adam_step
    monkeypatch.setattr(kernels, "adam_step", lambda *a, **k: calls.append(1) or real(*a, **k))
    fused = train(True)
    assert len(calls) == 5 * 4  # every step of all four parameters took the fused kernel
    for a, b in zip(fused, train(False), strict=True):
        np.testing.assert_array_equal(a, b)
    assert len(calls) == 20


P = np.zeros((3, 4), np.float32)
BAD = [
    (dict(param=P.astype(np.float16)), TypeError, "`param` must be a float32 or float64"),
    (dict(grad=np.zeros((4, 3), np.float32)), ValueError, "`grad` must have param's shape"),
    (dict(exp_avg=np.zeros((3, 4))), TypeError, "share one dtype"),
    (dict(param=np.zeros((4, 3), np.float32).T), ValueError, "`param` is updated in place"),
    (dict(exp_avg_sq=[[0.0] * 4] * 3), TypeError, "`exp_avg_sq` must be a float32"),
]


@pytest.mark.parametrize(("change", "error", "message"), BAD)
def test_bad_arguments_are_refused_clearly(change, error, message):
    args = dict(param=P.copy(), grad=P.copy(), exp_avg=P.copy(), exp_avg_sq=P.copy())
    args.update(change)
    with pytest.raises(error, match=f"adam_step: .*{message}"):
        kernels.adam_step(**args, **SCALARS)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_moments_below_the_smallest_normal_number_become_zero(backend, dtype):
    """A zero gradient shrinks m by beta1 each step, into the subnormal range, where arithmetic is
    ~100x slower (a dead unit's weights slowed a LeNet step by 12% after ~750 steps): every backend
    flushes such moments to +0, and the rest of the step is unchanged."""
    tiny = np.finfo(dtype).tiny
    m = np.array([tiny * 1.05, -tiny * 1.05, tiny * 100, 0.5], dtype)  # times 0.9: two subnormals
    v = np.array([tiny * 1.0001, tiny * 10, 1.0, 0.25], dtype)
    p, g = np.ones(4, dtype), np.array([0, 0, 0, 0.1], dtype)
    want = [a.copy() for a in (p, g, m, v)]
    with kernels.use_backend("numpy"):
        kernels.adam_step(*want, **SCALARS)
    got = [a.copy() for a in (p, g, m, v)]
    with kernels.use_backend(backend):
        kernels.adam_step(*got, **SCALARS)
    for g_, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g_, w)
    _, _, m2, v2 = got
    assert np.all((m2 == 0) | (np.abs(m2) >= tiny)) and np.all((v2 == 0) | (v2 >= tiny))
    assert m2[0] == 0 and m2[1] == 0 and not np.signbit(m2[1]) and v2[0] == 0
    assert m2[2] == dtype(tiny * 100) * dtype(0.9)  # normal results are left alone


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tiny_gradients_give_the_references_bits(backend, dtype):
    """Gradients whose square is subnormal, against every kind of v: 0, just above the smallest
    normal number (where the C kernel must do every operation), and ordinary. The C kernel skips
    g*g where it cannot change v (optim.c); the bits must still be the reference's."""
    rng = np.random.default_rng(7)
    info = np.finfo(dtype)
    n = 3000  # several of the C kernel's 256-element chunks
    g = np.asarray(
        rng.standard_normal(n) * float(info.tiny) ** 0.5 * 10.0 ** rng.uniform(-6, 2, n), dtype
    )
    g[::97] = 0.0
    kinds = rng.integers(0, 3, n)
    v = np.where(
        kinds == 0,
        0.0,
        np.where(kinds == 1, float(info.tiny) * rng.uniform(1, 1e6, n), rng.random(n)),
    )
    v = np.asarray(v, dtype)
    v[:1024] = np.where(kinds[:1024] == 1, 0.0, v[:1024])  # four chunks with no tiny v at all
    p = np.asarray(rng.standard_normal(n), dtype)
    m = np.asarray(rng.standard_normal(n) * 1e-20, dtype)
    assert_same_bits_as_the_reference(backend, (p, g, m, v))
