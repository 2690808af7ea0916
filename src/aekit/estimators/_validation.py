"""Small, explicit checks for estimator parameters and input arrays.

Error messages name the parameter, the offending value and what would be valid,
so a user never has to read a traceback from inside torch.
"""

from __future__ import annotations

import numbers
from collections.abc import Collection, Mapping
from typing import Any

import numpy as np
from sklearn.utils.validation import check_array

from ..exceptions import DataError


def check_choice(name: str, value: Any, choices: Collection[str | None]) -> None:
    if value not in choices:
        raise ValueError(
            f"{name}={value!r} is not supported; choose one of: "
            + ", ".join(repr(c) for c in sorted(choices, key=str))
        )


def check_int(name: str, value: Any, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")


def check_float(
    name: str,
    value: Any,
    low: float = 0.0,
    high: float = float("inf"),
    low_open: bool = False,
    high_open: bool = False,
) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number, got {value!r}")
    number = float(value)
    too_low = number <= low if low_open else number < low
    too_high = number >= high if high_open else number > high
    if not np.isfinite(number) or too_low or too_high:
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        raise ValueError(f"{name} must be in {left}{low}, {high}{right}, got {value}")


def check_sizes(name: str, value: Any) -> tuple[int, ...]:
    try:
        sizes = tuple(value)
    except TypeError:
        raise ValueError(
            f"{name} must be a sequence of positive integers, got {value!r}"
        ) from None
    for size in sizes:
        if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
            raise ValueError(
                f"{name} must be a sequence of positive integers, got {value!r}"
            )
    return tuple(int(s) for s in sizes)


def as_float32_samples(X: Any, input_name: str = "X") -> np.ndarray:
    """Validate ``X`` as ``(n_samples, ...)`` finite numbers; return float32, C-order.

    Accepts any array-like with at least two dimensions (images stay ``(n, h, w)``).
    """
    try:
        arr = check_array(
            X,
            allow_nd=True,
            dtype=(np.float32, np.float64),
            ensure_all_finite=True,
            input_name=input_name,
        )
    except ValueError as exc:
        raise DataError(str(exc)) from None
    return np.ascontiguousarray(arr, dtype=np.float32)


def check_unit_range(X: np.ndarray, why: str, input_name: str = "X") -> None:
    """Raise unless every value of ``X`` lies in [0, 1]."""
    lo, hi = float(X.min()), float(X.max())
    if lo < 0.0 or hi > 1.0:
        raise DataError(
            f"{why} needs {input_name} in [0, 1], but its values range from {lo:.4g} "
            f"to {hi:.4g}. Scale the data (e.g. images / 255, or MinMaxScaler), or "
            "use loss='mse' with output_activation='linear'."
        )


def check_conv_params(filters: Any, kernel_size: Any, channels: Any) -> None:
    """Check the parameters every convolutional network shares."""
    check_sizes("filters", filters)
    if not filters:
        raise ValueError("filters must name at least one encoder stage")
    check_int("kernel_size", kernel_size, minimum=1)
    if kernel_size % 2 == 0:
        raise ValueError(f"kernel_size must be odd, got {kernel_size}")
    check_choice("channels", channels, ("auto", "first", "last"))


#: Parameters a wrapper (OutlierDetector, SentenceEncoder) takes itself and passes
#: on to the autoencoder it builds.
FORWARDED_PARAMS = ("random_state", "device", "verbose")


def check_model_params(
    model_params: Any,
    cls: type,
    *,
    owner: str,
    model: str,
    validation_hint: str,
) -> dict[str, Any]:
    """Check a wrapper's ``model_params`` for the autoencoder class ``cls``.

    Parameters
    ----------
    model_params : dict or None
        Parameters for ``cls``.
    cls : type
        The scikit-learn estimator class they are for.
    owner : str
        The wrapper's class name, for "set it on ``owner`` itself" errors.
    model : str
        How errors name the autoencoder (e.g. ``"AutoEncoder (model='dense')"``).
    validation_hint : str
        What to use instead of ``validation_data``, which the wrapper cannot pass
        through unchanged.

    Returns
    -------
    dict
        A copy of ``model_params`` (empty for ``None``).
    """
    if model_params is not None and not isinstance(model_params, Mapping):
        raise ValueError(
            f"model_params must be a dict of {cls.__name__} parameters or None, "
            f"got {type(model_params).__name__}"
        )
    params = dict(model_params or {})
    valid = set(cls._get_param_names())  # type: ignore[attr-defined]
    unknown = sorted(set(params) - valid)
    if unknown:
        raise ValueError(
            f"model_params has parameter(s) {', '.join(map(repr, unknown))} that "
            f"{model} does not take; valid: " + ", ".join(sorted(valid))
        )
    for name in FORWARDED_PARAMS:
        if name in params:
            raise ValueError(f"set {name} on {owner} itself, not in model_params")
    if "validation_data" in params:
        raise ValueError(
            f"model_params['validation_data'] is not supported: {validation_hint}"
        )
    return params
