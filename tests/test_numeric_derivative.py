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
