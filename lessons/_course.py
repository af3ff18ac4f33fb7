"""The lesson format: fast mode, output folder, figures, tables, self-checks and textbook checks.

Every lesson creates one `Lesson`, records what it measured, and calls `finish()`:

    lesson = Lesson("01_gradient_descent", "Gradient descent by hand", "手算梯度下降")
    lesson.result("theta_1", theta1)                      # a measured result
    lesson.check("converges below alpha=1", ok, rate=r)   # a self-check: the lesson's conclusion
    lesson.textbook("004A §4.2", "θ1 = ... = 2.02", "the new parameter is 2.02",
                    computed=theta1, claimed=2.02, tol=1e-9)   # the text's claim beside the value
    lesson.savefig(fig, "trajectories")                   # saved as PNG (and shown in a notebook)
    lesson.conclude("中文结论", f"English conclusion with {value:.3g}")   # computed numbers only
    lesson.finish()                                       # prints tables, writes results.json

Each textbook check is printed where it is recorded (next to the prose it belongs to), and again in
the table at the end. `finish()` writes `results.json` into the lesson's output folder and exits with
status 1 if a self-check failed, so a script run, the runner (`python -m lessons`) and the tests all see
a failed conclusion as a failure. The output folder is `lessons/_output/NN_slug/` (or
`$MINIDL_LESSONS_OUT/NN_slug/`); a fast run writes to `.../fast/NN_slug/` instead, so it never
overwrites the results of a full run.

Fast mode (`MINIDL_FAST=1`, or `python -m lessons run N --fast`) shrinks epochs and sweeps;
`lesson.pick(full, fast)` chooses between the two sizes so every check still runs on meaningful data.

In a notebook kernel (jupytext + Jupyter), `savefig` saves the PNG and also displays the figure inline.

Threads: a lesson runs minidl's kernels (and NumPy's BLAS, when threadpoolctl is installed) on one
thread, unless MINIDL_LESSON_THREADS says otherwise. The course's networks are small, below the
sizes from which the kernels split work over threads (the whole course took 1 min 51 s with one
thread and with two on a 2-core AVX-512 machine), and one thread keeps the recorded numbers the
same on machines with different core counts ("auto" moves matrix products to the C GEMM at a size
measured per thread count).
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import platform
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

LESSONS_DIR = Path(__file__).resolve().parent
REPO_ROOT = LESSONS_DIR.parent

# A lesson run as `python lessons/NN_slug.py` has lessons/ on sys.path, not the repository root: let it
# import minidl from the checkout when minidl is not installed.
if importlib.util.find_spec("minidl") is None:
    sys.path.insert(0, str(REPO_ROOT))


def in_notebook() -> bool:
    """True inside a Jupyter (IPython kernel) session, where figures are shown inline."""
    return "ipykernel" in sys.modules


# Figures are files, not windows: use the Agg backend unless a notebook kernel shows them inline.
if not in_notebook():
    import matplotlib

    matplotlib.use("Agg")

VERDICT = {True: "agree 一致", False: "DISAGREE 不一致"}


def fast_mode() -> bool:
    """True when MINIDL_FAST is set to something other than '', '0' or 'false'."""
    return os.environ.get("MINIDL_FAST", "").strip().lower() not in ("", "0", "false", "no")


def output_root() -> Path:
    """The folder that holds one output folder per lesson ($MINIDL_LESSONS_OUT or lessons/_output)."""
    env = os.environ.get("MINIDL_LESSONS_OUT", "").strip()
    return Path(env) if env else LESSONS_DIR / "_output"


def lesson_dir(root: Path, slug: str, fast: bool) -> Path:
    """Where a lesson's outputs go: <root>/<slug> for a full run, <root>/fast/<slug> for a fast one."""
    return root / "fast" / slug if fast else root / slug


def machine() -> str:
    """A short description of this machine: CPU model, logical cores, OS (for the measured times)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} logical cores, {platform.system()}"


def to_jsonable(value: Any) -> Any:
    """NumPy scalars and arrays, tuples and Paths -> plain JSON values (non-finite floats as strings)."""
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        value = value.tolist()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no inf/nan; "inf" and "nan" read unambiguously
    if isinstance(value, Path):
        return str(value)
    return value


def fmt(value: Any, digits: int = 4) -> str:
    """A compact number for tables: 4 significant digits, scientific when very large or small."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) or hasattr(value, "dtype"):
        v = float(value)
        if not math.isfinite(v):
            return str(v)
        return f"{v:.{digits}g}"
    return str(value)


def _short(value: Any) -> Any:
    """A long text value is shown below the table instead of inside it."""
    return "(below)" if isinstance(value, str) and len(value) > 24 else value


def _width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters are two wide."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table(rows: list[list[Any]], headers: list[str]) -> str:
    """Rows as an aligned plain-text table (numbers formatted by `fmt`)."""
    cells = [[fmt(c) for c in row] for row in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in cells]) for i, h in enumerate(headers)]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)), line]
    out += ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(out)


class Lesson:
    """One lesson run: where its files go, what it measured, what it checked."""

    def __init__(self, slug: str, title: str, title_zh: str = "") -> None:
        self.slug = slug
        self.title = title
        self.title_zh = title_zh
        self.fast = fast_mode()
        self.out = lesson_dir(output_root(), slug, self.fast)
        self.out.mkdir(parents=True, exist_ok=True)
        self.results: dict[str, Any] = {}
        self.self_checks: list[dict[str, Any]] = []
        self.textbook_checks: list[dict[str, Any]] = []
        self.conclusions: list[dict[str, str]] = []
        self.figures: list[str] = []
        self.threads = int(os.environ.get("MINIDL_LESSON_THREADS", "1"))
        import minidl.kernels

        minidl.kernels.set_num_threads(self.threads)
        self._t0 = time.perf_counter()
        mode = "fast" if self.fast else "full"
        print(f"=== {slug}: {title_zh} {title} ({mode} mode) -> {self.out}")

    # --- sizes -------------------------------------------------------------------------------
    def pick(self, full: Any, fast: Any) -> Any:
        """`fast` in fast mode, else `full` (epochs, sweep lengths, seeds)."""
        return fast if self.fast else full

    def progress(self, iterable: Any, desc: str) -> Any:
        """`iterable` with a progress bar (tqdm) when the output is a terminal."""
        from tqdm import tqdm

        return tqdm(iterable, desc=desc, leave=False, disable=None)

    # --- recording -----------------------------------------------------------------------------
    def result(self, name: str, value: Any) -> Any:
        """Record a measured result under `name` (saved in results.json); returns the value."""
        self.results[name] = to_jsonable(value)
        return value

    def check(self, name: str, passed: bool, /, **numbers: Any) -> bool:
        """A self-check: the lesson's conclusion as an assertion, with the numbers behind it."""
        passed = bool(passed)
        self.self_checks.append({"name": name, "passed": passed, "numbers": to_jsonable(numbers)})
        shown = ", ".join(f"{k}={fmt(v)}" for k, v in numbers.items() if not hasattr(v, "__len__"))
        print(f"  [{'PASS' if passed else 'FAIL'}] {name}" + (f"  ({shown})" if shown else ""))
        return passed

    def textbook(
        self,
        where: str,
        claim: str,
        gloss: str,
        computed: Any,
        *,
        claimed: Any = None,
        tol: float | None = None,
        agree: bool | None = None,
        explanation: str = "",
    ) -> bool:
        """Record one textbook check: the text's claim (quoted) beside what was computed.

        where: file and section, e.g. '004A §4.2 梯度下降算法举例'. claim: the text, quoted in Chinese;
        gloss: a short English gloss. For a numeric claim give `claimed` and `tol` (absolute): they
        agree when |computed - claimed| <= tol. Otherwise pass `agree` from a comparison the lesson
        computed. A disagreement needs a one-line `explanation`. The check is printed at once, so a
        reader sees it beside the prose it belongs to.
        """
        if agree is None:
            if claimed is None or tol is None:
                raise ValueError(
                    f"Lesson.textbook: check at {where!r} needs `claimed` and `tol`, or `agree`"
                )
            agree = abs(float(computed) - float(claimed)) <= tol
        agree = bool(agree)
        if not agree and not explanation:
            raise ValueError(f"Lesson.textbook: disagreement at {where!r} needs an `explanation`")
        self.textbook_checks.append(
            {
                "where": where,
                "claim": claim,
                "gloss": gloss,
                "claimed": to_jsonable(claimed),
                "computed": to_jsonable(computed),
                "tolerance": tol,
                "agree": agree,
                "explanation": "" if agree else explanation,
            }
        )
        shown = claimed if claimed is not None else "-"
        print(f"  [T{len(self.textbook_checks)} {where}] “{claim}” — {gloss}")
        print(f"      text says: {fmt(shown)} | computed: {fmt(computed)} | {VERDICT[agree]}")
        if not agree:
            print(f"      why not 原因: {explanation}")
        return agree

    def conclude(self, zh: str, en: str) -> None:
        """One conclusion of the lesson, in Chinese and English (format numbers from computed values)."""
        self.conclusions.append({"zh": zh, "en": en})
        print(f"* {zh}\n  {en}")

    def savefig(self, fig: Any, name: str) -> Path:
        """Save a matplotlib figure as <out>/<name>.png, show it inline in a notebook, close it."""
        import matplotlib.pyplot as plt

        path = self.out / f"{name}.png"
        fig.savefig(path, dpi=110, bbox_inches="tight")
        if in_notebook():
            from IPython.display import display

            display(fig)  # closing below keeps the inline backend from showing it a second time
        plt.close(fig)
        self.figures.append(path.name)
        print(f"  figure: {path}")
        return path

    # --- printing ------------------------------------------------------------------------------
    def print_table(self, rows: list[list[Any]], headers: list[str], title: str = "") -> None:
        """Print an aligned table, optionally under a title."""
        if title:
            print(f"\n{title}")
        print(table(rows, headers))

    def print_textbook_checks(self) -> None:
        """The textbook checks as a table, then each claim quoted with its gloss and explanation."""
        if not self.textbook_checks:
            return
        rows = [
            [
                f"T{i + 1}",
                c["where"],
                "-" if c["claimed"] is None else c["claimed"],
                _short(c["computed"]),
                "-" if c["tolerance"] is None else c["tolerance"],
                VERDICT[c["agree"]],
            ]
            for i, c in enumerate(self.textbook_checks)
        ]
        heads = ["#", "where 出处", "text says 原文", "computed 计算", "tol", "verdict 结论"]
        self.print_table(rows, heads, title="Textbook checks 教材核对")
        for i, c in enumerate(self.textbook_checks):
            print(f"  T{i + 1}: “{c['claim']}” — {c['gloss']}")
            if _short(c["computed"]) != c["computed"]:
                print(f"       computed: {c['computed']}")
            if not c["agree"]:
                print(f"       why not 原因: {c['explanation']}")

    # --- the end -------------------------------------------------------------------------------
    def finish(self) -> None:
        """Print the summary, write results.json, and exit with status 1 if a self-check failed."""
        self.print_textbook_checks()
        failed = [c["name"] for c in self.self_checks if not c["passed"]]
        disagree = sum(not c["agree"] for c in self.textbook_checks)
        seconds = time.perf_counter() - self._t0
        record = {
            "lesson": self.slug,
            "title": self.title,
            "title_zh": self.title_zh,
            "fast": self.fast,
            "seconds": round(seconds, 2),
            "machine": machine(),
            "threads": self.threads,
            "results": self.results,
            "self_checks": self.self_checks,
            "textbook_checks": self.textbook_checks,
            "conclusions": self.conclusions,
            "figures": self.figures,
        }
        path = self.out / "results.json"
        path.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        n = len(self.self_checks)
        print(
            f"\n{self.slug}: {n - len(failed)}/{n} self-checks passed, "
            f"{disagree}/{len(self.textbook_checks)} textbook claims disagree, "
            f"{seconds:.1f} s -> {path}"
        )
        if failed:
            print("FAILED self-checks: " + "; ".join(failed))
            raise SystemExit(1)
