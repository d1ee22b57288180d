"""ModuleSpecs of refgrad.nn.modules.linear: Identity, Linear, Bilinear."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ... import strategies as S
from ...module_cases import batched, module_cases
from ...module_spec import ModuleErrorCase, ModuleSpec

FEATURES = st.integers(0, 4)


def _bilinear_inputs(config, dtype):
    """input1 (*, in1_features) and input2 (*, in2_features) with the same 0 to 2 leading dims."""
    return S.shapes(0, 2, max_side=3).flatmap(lambda lead: st.tuples(
        S.arrays(dtype, lead + (config.kwargs["in1_features"],)),
        S.arrays(dtype, lead + (config.kwargs["in2_features"],))))


MODULE_SPECS = [
    ModuleSpec("Identity", module_cases(batched(lambda c: ()), args=(st.integers(0, 3),))),
    ModuleSpec("Linear", module_cases(batched(lambda c: (c.kwargs["in_features"],)),
                                      kwargs={"in_features": FEATURES, "out_features": FEATURES,
                                              "bias": st.booleans()})),
    # in1_features 0 is refused by torch's reset_parameters (ERRORS); with in2_features 0 torch's forward fails to
    # reshape its empty input ("the unspecified dimension size -1 can be any value")
    ModuleSpec("Bilinear", module_cases(_bilinear_inputs, kwargs={
        "in1_features": st.integers(1, 4), "in2_features": st.integers(1, 4), "out_features": FEATURES,
        "bias": st.booleans()})),
]

ERRORS = {
    "Linear": (
        ModuleErrorCase("input features", (3, 2), inputs=(np.ones((4, 5), "float32"),), fragments=("4x5", "3x2")),
    ),
    "Bilinear": (
        ModuleErrorCase("no in1 features", (0, 3, 4), fragments=("in1_features must be > 0", "in1_features=0")),
        ModuleErrorCase("batch dims", (2, 3, 4), inputs=(np.ones((5, 2), "float32"), np.ones((4, 3), "float32")),
                        fragments=("batch dimensions", "5 and 4")),
        ModuleErrorCase("input1 features", (2, 3, 4), inputs=(np.ones((5, 3), "float32"), np.ones((5, 3), "float32")),
                        fragments=("input1 size", "got 3 but expected 2")),
    ),
}
KNOWN_FAILURES: dict = {}
