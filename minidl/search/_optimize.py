"""How `Study.optimize` runs trials: in this process, on a process pool, or on a Dask cluster.

The design, in one paragraph. The study and all its state live in the main process. For each new
trial the main process (1) numbers it, (2) lets the sampler prepare it (`before_trial`: GridSampler
assigns the grid point; `sample_relative`: GPSampler proposes values for the space seen in the
finished trials, treating running trials as observed at a "constant liar" value), (3) takes a
snapshot of the trials finished so far, and (4) sends (objective, request) to wherever trials run.
There `run_trial` calls the objective with a `Trial`; any name the relative step did not fix is drawn
by `sampler.sample_independent`, whose answer depends only on the seed, the trial number, what
`before_trial` stored and the snapshot -- so it is the same on a worker as here -- and
`trial.should_prune()` asks the pruner against the same snapshot. The result (a plain record) comes
back and the main process stores it, tells the sampler, and runs the callbacks.

What follows from it:

- With GridSampler and RandomSampler a trial's parameters are a function of the seed and its number,
  so the set of trials (params and values) is identical for any executor and any number of workers.
- What an objective may do on a worker: suggest any names with any (define-by-run) spaces, report and
  prune, set user attributes, raise. It may not reach the live study (there is none on a worker).
- Pruning compares with the trials finished at dispatch, so a pruned/kept decision in parallel may
  differ from a sequential run; with n_jobs=1 the snapshot is every earlier trial, as in Optuna.
- Executors: `n_jobs=1` and no executor runs trials in this process; `n_jobs=k` (or -1 for every
  core) makes a process pool of k workers started with "spawn" (clean interpreters: no forked
  OpenMP or Numba thread pools); `executor=` takes any `concurrent.futures.Executor`, including
  Dask's `distributed.Client(...).get_executor()`. At most as many trials as the executor has
  workers are in flight, so each new proposal sees as many finished trials as possible.
- Anything sent to another process is pickled: the objective (with the data it closes over), the
  sampler and the pruner. A lambda or a function nested in another cannot be pickled by the standard
  library; define the objective at module level and bind its data with `functools.partial`. Dask
  pickles with cloudpickle, which accepts lambdas and closures too. Results come back pickled:
  user attributes must be picklable, and an exception that cannot be pickled is replaced by a
  RuntimeError that carries its type, message and traceback.
- Errors: an exception whose type is in `catch`, a NaN value, or a value that is not a number makes
  the trial FAIL (its reason in `FrozenTrial.error`) and the study goes on; any other exception marks
  the trial FAIL, lets the trials already running finish, and is re-raised, as in Optuna.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime
import math
import multiprocessing
import os
import pickle
import time
import traceback
from dataclasses import dataclass
from typing import Any

from minidl.search.frozen import FrozenTrial, StudySnapshot, TrialPruned, TrialState
from minidl.search.trial import Trial


@dataclass
class TrialRequest:
    """Everything a worker needs to run trial `number` (sent with the objective)."""

    number: int
    sampler: Any
    pruner: Any
    snapshot: StudySnapshot
    fixed_params: dict[str, tuple[Any, Any]]
    system_attrs: dict[str, Any]
    remote: bool


@dataclass
class TrialResult:
    """What comes back from a worker: the trial's record, and the exception it raised, if any."""

    trial: FrozenTrial
    exception: BaseException | None = None


def as_value(out: Any) -> tuple[float | None, str | None]:
    """The objective's return value as a float, or (None, why it is not acceptable)."""
    if isinstance(out, (list, tuple)):
        if len(out) != 1:
            return None, (
                f"the objective returned {len(out)} values; minidl.search studies are "
                "single-objective (return one float)"
            )
        out = out[0]
    try:
        value = float(out)
    except (TypeError, ValueError):
        return None, f"the objective returned {out!r}, which could not be cast to float"
    if math.isnan(value):
        return None, "the objective returned nan"
    return value, None


def _portable(exc: BaseException, text: str) -> BaseException:
    """`exc` if it survives pickling, else a RuntimeError carrying its description."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"unpicklable exception raised by the objective:\n{text}")


def make_trial(request: TrialRequest) -> Trial:
    """The `Trial` the objective receives, built from its request (on the worker)."""
    return Trial(
        request.number,
        request.sampler,
        request.pruner,
        request.snapshot,
        request.fixed_params,
        request.system_attrs,
    )


def freeze(trial: Trial, state: TrialState, value: float | None, reason: str | None) -> FrozenTrial:
    """The record of a finished trial; a PRUNED trial keeps its last reported value (Optuna's rule)."""
    if state == TrialState.PRUNED:
        steps = trial.intermediate_values
        value = steps[max(steps)] if steps else None
    system_attrs = dict(trial.system_attrs)
    if reason is not None:
        system_attrs["fail_reason"] = reason
    return FrozenTrial(
        number=trial.number,
        state=state,
        value=value,
        params=trial.params,
        distributions=trial.distributions,
        user_attrs=trial.user_attrs,
        system_attrs=system_attrs,
        intermediate_values=trial.intermediate_values,
        datetime_start=trial.datetime_start,
        datetime_complete=datetime.datetime.now(),
    )


def run_trial(objective: Any, request: TrialRequest) -> TrialResult:
    """Run the objective on one trial and return its record (runs on the worker)."""
    trial = make_trial(request)
    value, exc, reason = None, None, None
    try:
        out = objective(trial)
    except TrialPruned:
        state = TrialState.PRUNED
    except Exception as e:
        state, exc = TrialState.FAIL, e
        reason = "".join(traceback.format_exception(type(e), e, e.__traceback__))
    else:
        value, reason = as_value(out)
        state = TrialState.COMPLETE if reason is None else TrialState.FAIL
    if request.remote and exc is not None:
        exc = _portable(exc, reason or "")
    return TrialResult(freeze(trial, state, value, reason), exc)


def _is_dask(executor: Any) -> bool:
    return type(executor).__module__.startswith("distributed")


def check_picklable(objective: Any, sampler: Any, pruner: Any, executor: Any) -> None:
    """Fail early, and say how to fix it, if what must travel to the workers cannot be pickled."""
    if isinstance(executor, cf.ThreadPoolExecutor):
        return  # threads share memory: nothing is pickled
    dumps = pickle.dumps
    how = "the standard pickle module"
    if _is_dask(executor):
        import cloudpickle  # a dependency of dask.distributed

        dumps, how = cloudpickle.dumps, "cloudpickle (Dask's serializer)"
    name = getattr(objective, "__qualname__", None) or repr(objective)
    for what, obj in (("objective", objective), ("sampler", sampler), ("pruner", pruner)):
        try:
            dumps(obj)
        except Exception as e:
            fix = (
                "Define the objective at module level (not a lambda or a function nested in "
                "another) and bind its data with functools.partial(objective, data=...), or run "
                "with n_jobs=1 and no executor."
                if what == "objective"
                else "Use a sampler/pruner whose attributes can be pickled."
            )
            raise TypeError(
                f"Study.optimize: the {what} {name if what == 'objective' else repr(obj)} cannot be "
                f"pickled with {how} ({type(e).__name__}: {e}), but executor="
                f"{type(executor).__name__} runs trials in other processes, which receive it by "
                f"pickling. {fix}"
            ) from e


def _capacity(executor: Any) -> int:
    """How many trials to keep in flight: the executor's worker (thread) count."""
    if _is_dask(executor):
        client = getattr(executor, "_client", None)
        if client is not None:
            return max(1, sum(client.nthreads().values()))
    n = getattr(executor, "_max_workers", None)
    return int(n) if n else (os.cpu_count() or 1)


def _progress(show: bool, total: int | None) -> Any:
    if not show:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        import warnings

        warnings.warn("Study.optimize: show_progress_bar needs tqdm; no bar shown.", stacklevel=3)
        return None
    return tqdm(total=total, desc="trials")


def optimize(
    study: Any,
    objective: Any,
    n_trials: int | None,
    timeout: float | None,
    n_jobs: int,
    executor: Any,
    callbacks: list[Any],
    show_progress_bar: bool,
    catch: tuple[type, ...],
) -> None:
    """The loop behind `Study.optimize` (arguments already validated)."""
    start = time.monotonic()
    started = 0
    raised: list[BaseException] = []
    bar = _progress(show_progress_bar, n_trials)

    def can_start() -> bool:
        return (
            not raised
            and not study._stop_flag
            and (n_trials is None or started < n_trials)
            and (timeout is None or time.monotonic() - start < timeout)
        )

    def finish(result: TrialResult) -> None:
        frozen = result.trial
        study._record(frozen)
        if bar is not None:
            bar.update(1)
        exc = result.exception
        if exc is not None and not isinstance(exc, catch):
            raised.append(exc)
            return
        for callback in callbacks:
            callback(study, frozen)

    own_pool = executor is None and n_jobs != 1
    try:
        if executor is None and n_jobs == 1:
            while can_start():
                request = study._new_request(remote=False)
                started += 1
                try:
                    result = run_trial(objective, request)
                except BaseException as e:  # KeyboardInterrupt, SystemExit: mark, then stop
                    study._record(_failed(request.number, e))
                    raise
                finish(result)
        else:
            if own_pool:
                workers = (os.cpu_count() or 1) if n_jobs == -1 else n_jobs
                executor = cf.ProcessPoolExecutor(
                    max_workers=workers, mp_context=multiprocessing.get_context("spawn")
                )
            check_picklable(objective, study.sampler, study.pruner, executor)
            capacity = _capacity(executor)
            in_flight: dict[Any, int] = {}
            while True:
                while len(in_flight) < capacity and can_start():
                    request = study._new_request(remote=True)
                    started += 1
                    in_flight[executor.submit(run_trial, objective, request)] = request.number
                if not in_flight:
                    break
                done, _ = cf.wait(list(in_flight), return_when=cf.FIRST_COMPLETED)
                for future in sorted(done, key=in_flight.__getitem__):
                    number = in_flight.pop(future)
                    try:
                        result = future.result()
                    except Exception as e:  # the worker died, or the request/result did not pickle
                        result = _failed(number, e)
                    finish(result)
    finally:
        if own_pool and executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        if bar is not None:
            bar.close()
    if raised:
        raise raised[0]


def _failed(number: int, exc: BaseException) -> TrialResult:
    """A FAIL record for a trial whose result never arrived."""
    reason = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    now = datetime.datetime.now()
    record = FrozenTrial(
        number,
        TrialState.FAIL,
        None,
        system_attrs={"fail_reason": reason},
        datetime_start=now,
        datetime_complete=now,
    )
    return TrialResult(record, exc)
