"""oracle.numeric: the numerical derivative the vjp_numeric and jvp checks compare with, and its kink mask."""
import numpy as np
import pytest

from oracle import numeric

X = np.array([-1.3, -0.2, 0.4, 2.5])
ONES = np.ones_like(X)


@pytest.mark.parametrize("f, df", [
    (np.sin, np.cos),
    (np.exp, np.exp),
    (lambda x: 1 / (1 + x * x), lambda x: -2 * x / (1 + x * x) ** 2),
    (lambda x: x ** 3 / 3, lambda x: x ** 2),
], ids=["sin", "exp", "rational", "cubic"])
def test_smooth_functions_are_accurate_and_not_kinks(f, df):
    d = numeric.directional_derivative(f, X, ONES)
    assert not d.kink.any()
    np.testing.assert_allclose(d.value, df(X), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("f", [np.abs, lambda x: np.maximum(x, 0.0)], ids=["abs", "relu"])
def test_a_jump_in_slope_at_the_point_is_a_kink(f):
    d = numeric.directional_derivative(f, np.array([0.0, 1.0]), np.ones(2))
    assert d.kink.tolist() == [True, False]


@pytest.mark.parametrize("curvature", [1.0, 0.05])
def test_a_jump_in_curvature_is_a_kink(curvature):
    """max(0, x)²·c/2 is C¹ at 0, but its central differences there are off by O(h) (h·c/12 after the
    extrapolation, ~5e-7·c), more than the numeric checks' atol: the element must be excluded, not compared."""
    d = numeric.directional_derivative(lambda x: curvature / 2 * np.maximum(x, 0.0) ** 2, np.array([0.0, 1.0]),
                                       np.ones(2))
    assert abs(d.value[0]) > 1e-8  # the error the mask guards against: the true derivative is 0
    assert d.kink.tolist() == [True, False]


def _directional_check(analytic):
    """checks.numeric_vjp_errors on x ↦ 1e-22·Σx, with more inputs than the full Jacobian takes: its numerical Jv
    is 1e-22·Σv, far below atol, for a gradient that is 0 to the checks' precision."""
    from oracle import checks
    from oracle.tolerances import Tol

    n = checks.FULL_JACOBIAN_MAX + 12
    f = lambda x: np.array([1e-22 * x.sum()])  # noqa: E731
    errs, _ = checks.numeric_vjp_errors(f, np.zeros(n), analytic(n), np.ones(1), Tol(1e-7, 1e-8),
                                        np.random.default_rng(0))
    return errs


def test_random_directions_allow_the_numerical_derivatives_atol():
    """Found by the thorough profile (huber_loss at input == target): an exact 0 against 2e-23 of numerical noise
    failed with a relative error of 1, the noise being all of the inner product's scale."""
    errs = _directional_check(np.zeros)
    assert errs and all(e.passed and e.max_rel_err <= 1e-7 for e in errs)


def test_random_directions_still_catch_a_wrong_gradient():
    def off_by_1e_6_in_one_element(n):
        g = np.zeros(n)
        g[3] = 1e-6
        return g

    assert not all(e.passed for e in _directional_check(off_by_1e_6_in_one_element))
