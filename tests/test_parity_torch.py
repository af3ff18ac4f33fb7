"""The PyTorch parity table: the same line of code run with `lib = minidl` and `lib = torch`.

Each row is (name, fn(lib, *tensors), inputs). The inputs become tensors of both libraries (float64
ones require grad); both results must agree in type of result (a tensor, a named pair, a tuple, a
Python number), shape, dtype and values; then, when the result is differentiable, the gradients of
Σ upstream ⊙ result (a random upstream) must agree too. Because `fn` is the same code for both, a row
also proves that PyTorch's spelling works in minidl.

Skipped unless torch is installed (it never is a dependency of minidl)."""

import numpy as np
import pytest

import minidl as md

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

RNG = np.random.default_rng(0)
A = RNG.standard_normal((3, 4))
B = RNG.standard_normal((3, 4))
C = RNG.standard_normal((4, 5))
V = RNG.standard_normal(5)
CUBE = RNG.standard_normal((2, 3, 4))
TIES = np.array([[1.0, 3.0, 3.0, 2.0], [5.0, 5.0, 5.0, -1.0]])
CONST = np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 4.0]])
IDX = np.array([[0, 2, 1, 1], [2, 0, 0, 1]])
INTS = np.array([[1, 2, 3], [4, 5, 6]])
MASK = A > 0

CASES = [
    # --- dtype inference and promotion (no inputs) ---
    ("tensor_ints", lambda lib: lib.tensor([1, 2, 3]), []),
    ("tensor_mixed", lambda lib: lib.tensor([1, 2.0]), []),
    ("tensor_bools", lambda lib: lib.tensor([True, False]), []),
    ("tensor_bool_int", lambda lib: lib.tensor([True, 2]), []),
    ("tensor_scalar_int", lambda lib: lib.tensor(3), []),
    ("tensor_numpy_f64", lambda lib: lib.tensor(np.zeros(2)), []),
    ("tensor_numpy_i32", lambda lib: lib.tensor(np.zeros(2, np.int32)), []),
    ("int_div_int", lambda lib: lib.tensor([1, 2]) / lib.tensor([2, 4]), []),
    ("int_mul_float", lambda lib: lib.tensor([1, 2]) * 2.5, []),
    ("int_add_bool", lambda lib: lib.tensor([1, 2]) + True, []),
    ("bool_add_int", lambda lib: lib.tensor([True]) + 1, []),
    ("f32_add_f64_scalar_tensor", lambda lib: lib.ones(2) + lib.tensor(1.0, dtype=lib.float64), []),
    ("i32_add_f64_scalar_tensor", lambda lib: lib.ones(2, dtype=lib.int32) + lib.tensor(1.5, dtype=lib.float64), []),
    ("f16_mul_float", lambda lib: lib.ones(2, dtype=lib.float16) * 2.5, []),
    ("int_pow_int", lambda lib: lib.tensor([2, 3]) ** 2, []),
    ("int_pow_float", lambda lib: lib.tensor([2, 3]) ** 0.5, []),
    ("exp_int", lambda lib: lib.exp(lib.tensor([1, 2])), []),
    ("sigmoid_int", lambda lib: lib.sigmoid(lib.tensor([1, 2])), []),
    ("relu_int", lambda lib: lib.relu(lib.tensor([1, -2])), []),
    ("sum_int32", lambda lib: lib.tensor([1, 2], dtype=lib.int32).sum(), []),
    ("sum_bool", lambda lib: lib.tensor([True, True]).sum(), []),
    ("clamp_int_float", lambda lib: lib.clamp(lib.tensor([1, 5]), 0.5, 3), []),
    ("where_int_float", lambda lib: lib.where(lib.tensor([True, False]), lib.tensor([1, 2]), 2.5), []),
    ("floor_divide", lambda lib: lib.tensor([5, -5]) // 2, []),
    ("remainder", lambda lib: lib.tensor([5, -5]) % 3, []),
    ("full_int", lambda lib: lib.full((2,), 3), []),
    ("full_bool", lambda lib: lib.full((2,), True), []),
    ("arange_int", lambda lib: lib.arange(5), []),
    ("arange_float", lambda lib: lib.arange(0, 1, 0.25), []),
    ("aliases", lambda lib: [lib.float, lib.double, lib.long, lib.int, lib.half, lib.bool], []),
    ("zeros_like_dtype", lambda lib, a: lib.zeros_like(a, dtype=lib.int64), [A]),
    ("randn_like_dtype", lambda lib, a: lib.randn_like(a).dtype, [A]),
    ("is_floating_point", lambda lib, a: (a.is_floating_point(), a.long().is_floating_point()), [A]),
    ("type_name", lambda lib, a: (a.type(), a.float().type(), a.long().type()), [A]),
    ("type_convert", lambda lib, a: a.type(lib.float32), [A]),
    # --- devices ---
    ("device_cpu", lambda lib, a: a.to(lib.device("cpu")), [A]),
    ("to_device_dtype", lambda lib, a: a.to("cpu", lib.float32), [A]),
    ("to_other", lambda lib, a: a.to(lib.tensor([1])), [A]),
    ("to_kwargs", lambda lib, a: a.to(device="cpu", dtype=lib.float32, non_blocking=True, copy=True), [A]),
    ("cpu", lambda lib, a: a.cpu() * 2, [A]),
    ("device_str", lambda lib, a: str(a.device), [A]),
    ("cuda_available", lambda lib: (lib.cuda.is_available(), lib.cuda.device_count()), []),
    ("mps_available", lambda lib: lib.backends.mps.is_available(), []),
    ("accelerator", lambda lib: (lib.accelerator.is_available(), lib.accelerator.current_accelerator()), []),
    ("zeros_device", lambda lib: lib.zeros(2, 3, device="cpu"), []),
    # --- max / min / sort / topk ---
    ("max_all_ties", lambda lib, t: lib.max(t), [TIES]),
    ("max_dim_pair", lambda lib, t: lib.max(t, 1), [TIES]),
    ("max_dim_keepdim", lambda lib, t: t.max(dim=0, keepdim=True), [TIES]),
    ("max_unpack_indices", lambda lib, t: lib.max(t, 1)[1], [A]),
    ("max_values_attr", lambda lib, t: t.max(1).values, [A]),
    ("min_dim_pair", lambda lib, t: lib.min(t, 0), [A]),
    ("max_elementwise", lambda lib, a, b: lib.max(a, b), [A, B]),
    ("min_elementwise", lambda lib, a, b: lib.min(a, b), [A, B]),
    ("amax_ties", lambda lib, t: lib.amax(t, 1), [TIES]),
    ("amin_dims", lambda lib, t: lib.amin(t, (0, 2), keepdim=True), [CUBE]),
    ("argmax", lambda lib, t: lib.argmax(t, 1), [A]),
    ("argmin_all", lambda lib, t: t.argmin(), [A]),
    ("sort", lambda lib, t: lib.sort(t, 1), [A]),
    ("sort_descending_ties", lambda lib, t: t.sort(dim=1, descending=True, stable=True), [TIES]),
    ("sort_dim0", lambda lib, t: lib.sort(t, 0), [CUBE]),
    ("topk", lambda lib, t: lib.topk(t, 2), [A]),
    ("topk_smallest_dim0", lambda lib, t: t.topk(2, dim=0, largest=False), [A]),
    # --- selection ---
    ("gather", lambda lib, t: lib.gather(t, 1, lib.tensor(IDX)), [TIES]),
    ("gather_smaller_index", lambda lib, t: t.gather(0, lib.tensor([[2, 0]])), [A]),
    ("scatter_add", lambda lib, t, s: t.scatter_add(1, lib.tensor(IDX), s), [TIES, TIES * 2]),
    ("index_select", lambda lib, t: lib.index_select(t, 1, lib.tensor([3, 0, 3])), [A]),
    ("masked_fill", lambda lib, t: t.masked_fill(lib.tensor(MASK), -1.0), [A]),
    ("where", lambda lib, a, b: lib.where(a > 0, a, b), [A, B]),
    ("where_scalar", lambda lib, a: lib.where(a > 0, a, 0.0), [A]),
    ("where_one_arg", lambda lib, a: lib.where(a > 0), [A]),
    ("nonzero", lambda lib, a: lib.nonzero(a > 0), [A]),
    ("nonzero_tuple", lambda lib, a: (a > 0).nonzero(as_tuple=True), [A]),
    ("tril", lambda lib, a: lib.tril(a), [A]),
    ("diag_of_vector", lambda lib, v: (lib.diag(v), v.diag(1), lib.diag(v, -2)), [V]),
    ("diag_of_matrix", lambda lib, a: (lib.diag(a), a.diag(1), lib.diag(a, -1), a.diag(5)), [A]),
    ("size_type", lambda lib, a: (isinstance(a.shape, lib.Size), a.size() == (3, 4)), [A]),
    ("triu_offset", lambda lib, a: a.triu(1), [A]),
    ("tril_negative", lambda lib, a: a.tril(-1), [CUBE]),
    # --- rearranging ---
    ("flip", lambda lib, a: lib.flip(a, [0, 2]), [CUBE]),
    ("roll", lambda lib, a: lib.roll(a, 2, 1), [A]),
    ("roll_multi", lambda lib, a: a.roll((1, -2), (0, 2)), [CUBE]),
    ("roll_flat", lambda lib, a: lib.roll(a, 3), [A]),
    ("repeat", lambda lib, a: a.repeat(2, 1, 3), [A]),
    ("expand_as", lambda lib, a, b: a[:1].expand_as(b), [A, B]),
    ("view_as", lambda lib, a, b: a.view_as(b), [CUBE, RNG.standard_normal((4, 6))]),
    ("t", lambda lib, a: a.t(), [A]),
    ("t_vector", lambda lib, a: a.t(), [V]),
    ("mm", lambda lib, a, c: lib.mm(a, c), [A, C]),
    ("mm_method", lambda lib, a, c: a.mm(c), [A, C]),
    ("split_method", lambda lib, a: a.split(3, 1), [A]),
    ("chunk", lambda lib, a: a.chunk(3, 1), [A]),
    ("chunk_fewer", lambda lib, a: lib.chunk(a, 4, 0), [A]),
    ("unbind", lambda lib, a: a.unbind(1), [A]),
    ("clone", lambda lib, a: a.clone() * 2, [A]),
    # --- reductions and math ---
    ("norm", lambda lib, a: a.norm(), [A]),
    ("norm_dim", lambda lib, a: a.norm(dim=1), [A]),
    ("norm_p1_keepdim", lambda lib, a: lib.norm(a, 1, 0, True), [A]),
    ("norm_inf", lambda lib, a: a.norm(float("inf")), [A]),
    ("norm_at_zero", lambda lib, a: (a * 0).norm(), [A]),
    ("std_constant_rows", lambda lib, a: a.std(1), [CONST]),
    ("var_constant_rows", lambda lib, a: a.var(1), [CONST]),
    ("std_unbiased_false", lambda lib, a: a.std(1, unbiased=False), [A]),
    ("normalize_constant_row", lambda lib, a: (a - a.mean(1, keepdim=True)) / (a.std(1, keepdim=True) + 1e-5), [CONST]),
    ("clamp_method", lambda lib, a: a.clamp(-0.5, 0.5), [A]),
    ("clamp_min_only", lambda lib, a: a.clamp(min=0), [A]),
    ("clip", lambda lib, a: lib.clip(a, -1, 1), [A]),
    ("numel", lambda lib, a: (a.numel(), lib.numel(a)), [A]),
    ("item", lambda lib, a: a.sum().item(), [A]),
    ("tolist", lambda lib, a: a.tolist(), [INTS]),
    ("format", lambda lib, a: f"{a.sum():.4f}", [A]),
    ("all_any", lambda lib, a: ((a > -10).all(), (a > 10).any(), (a > 0).all(dim=1)), [A]),
    ("cumsum", lambda lib, a: lib.cumsum(a, 1), [A]),
    ("cumsum_int", lambda lib, a: a.cumsum(0), [INTS]),
    ("prod", lambda lib, a: lib.prod(a, 1), [A]),
    ("prod_all_with_zero", lambda lib, a: (a * lib.tensor(MASK)).prod(), [A]),
    ("prod_keepdim", lambda lib, a: a.prod(0, keepdim=True), [A]),
    ("einsum_batch", lambda lib, a, b: lib.einsum("bij,bkj->bik", a, b), [CUBE, CUBE * 2]),
    ("einsum_trace_free_sum", lambda lib, a, c: lib.einsum("ij,jk", a, c), [A, C]),
    ("einsum_sum_out", lambda lib, a: lib.einsum("ij->j", a), [A]),
    ("bmm", lambda lib, a, b: lib.bmm(a, b.transpose(1, 2)), [CUBE, CUBE * 2]),
    ("dot", lambda lib, a, b: lib.dot(a, b), [V, V * 3]),
    ("outer", lambda lib, a, b: lib.outer(a, b), [V, V[:3]]),
    ("square_rsqrt", lambda lib, a: (lib.square(a), lib.rsqrt(a.abs() + 1)), [A]),
    ("log1p_expm1_tan", lambda lib, a: (lib.log1p(a.abs()), lib.expm1(a), lib.tan(a)), [A]),
    ("rounding", lambda lib, a: (lib.sign(a), lib.floor(a * 3), lib.ceil(a * 3), lib.round(a * 3)), [A]),
    ("isnan_isinf", lambda lib, a: (lib.isnan(a / 0 * 0), lib.isinf(a / 0), a.isfinite()), [A]),
    ("new_tensors", lambda lib, a: (a.new_zeros(2, 3), a.new_ones((2,)), a.new_full((2,), 3.0), a.new_tensor([1, 2])), [A]),
    ("stack_dim", lambda lib, a, b: lib.stack([a, b], dim=1), [A, B]),
    ("linalg_norm", lambda lib, a: (lib.linalg.norm(a), lib.linalg.vector_norm(a, 1, dim=0)), [A]),
    # --- comparisons ---
    ("eq_ne", lambda lib, a, b: (a.eq(b), a.ne(b)), [A, B]),
    ("lt_le_gt_ge", lambda lib, a, b: (a.lt(b), a.le(b), a.gt(b), a.ge(b)), [A, B]),
    ("compare_scalar", lambda lib, a: (a > 0, a == 0.5, 0 < a), [A]),
    ("logical_ops", lambda lib, a, b: ((a > 0) & (b > 0), (a > 0) | (b > 0), (a > 0) ^ (b > 0), ~(a > 0)), [A, B]),
    ("allclose", lambda lib, a: (lib.allclose(a, a + 1e-9), lib.allclose(a, a + 1)), [A]),
    ("isclose", lambda lib, a, b: lib.isclose(a, b, atol=1.0), [A, B]),
    ("equal", lambda lib, a, b: (lib.equal(a, a.clone()), lib.equal(a, b), a.equal(a)), [A, B]),
    # --- autograd API ---
    ("autograd_grad", lambda lib, a, b: lib.autograd.grad((a * b).sum(), [a, b]), [A, B]),
    ("autograd_grad_outputs", lambda lib, a: lib.autograd.grad(a * 3, a, grad_outputs=lib.ones_like(a)), [A]),
    ("inplace_after_mul_by_constant", lambda lib, a: _inplace_chain(a), [A]),
]  # fmt: skip


def _inplace_chain(a):
    d = a * 1
    d += d * 2 + 1
    return d


def _convert(x, lib):
    """A NumPy input as a tensor of `lib`; floats require grad."""
    t = lib.tensor(x)
    return t.requires_grad_() if t.is_floating_point() else t


def _dtype_name(d) -> str:
    return str(d).replace("torch.", "")


def _same(ours, theirs, path="result"):
    """Compare two results leaf by leaf; returns the list of (our tensor, their tensor) pairs."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, md.Tensor), f"{path}: expected a Tensor, got {type(ours).__name__}"
        assert ours.shape == tuple(theirs.shape), (
            f"{path}: shape {ours.shape} vs {tuple(theirs.shape)}"
        )
        assert _dtype_name(ours.dtype) == _dtype_name(theirs.dtype), (
            f"{path}: dtype {ours.dtype} vs {theirs.dtype}"
        )
        np.testing.assert_allclose(
            ours.data, theirs.detach().numpy(), rtol=1e-6, atol=1e-7, err_msg=path
        )
        return [(ours, theirs)] if theirs.requires_grad else []
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(theirs), f"{path}: {ours!r}"
        if hasattr(theirs, "_fields") or hasattr(theirs, "values"):  # a named pair
            assert ours.values is ours[0] and ours.indices is ours[1], f"{path}: not a named pair"
        pairs = []
        for k, (o, t) in enumerate(zip(ours, theirs)):
            pairs += _same(o, t, f"{path}[{k}]")
        return pairs
    if isinstance(theirs, torch.dtype):
        assert _dtype_name(ours) == _dtype_name(theirs), f"{path}: {ours} vs {theirs}"
        return []
    if isinstance(theirs, float):
        assert ours == pytest.approx(theirs, rel=1e-6), f"{path}: {ours} vs {theirs}"
        return []
    assert ours == theirs and type(ours) is type(theirs), f"{path}: {ours!r} vs {theirs!r}"
    return []


@pytest.mark.parametrize("fn, arrays", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_minidl_matches_pytorch(fn, arrays):
    ours_in = [_convert(a, md) for a in arrays]
    theirs_in = [_convert(a, torch) for a in arrays]
    pairs = _same(fn(md, *ours_in), fn(torch, *theirs_in))
    pairs = [(o, t) for o, t in pairs if o.requires_grad]
    if not pairs:
        return
    rng = np.random.default_rng(1)
    ups = [rng.standard_normal(o.shape) for o, _ in pairs]
    md.autograd.backward([o for o, _ in pairs], [md.tensor(u) for u in ups])
    torch.autograd.backward([t for _, t in pairs], [torch.tensor(u) for u in ups])
    for k, (x, y) in enumerate(zip(ours_in, theirs_in)):
        if y.requires_grad:
            assert (x.grad is None) == (y.grad is None), f"input {k}: grad presence differs"
            if y.grad is not None:
                np.testing.assert_allclose(x.grad.data, y.grad.numpy(), rtol=1e-10, atol=1e-12)
