"""ModuleSpecs of refgrad.nn.modules.linear: Identity, Linear (Bilinear: see its own spec)."""
from __future__ import annotations

from hypothesis import strategies as st

from ...module_cases import batched, module_cases
from ...module_spec import ModuleErrorCase, ModuleSpec

FEATURES = st.integers(0, 4)

MODULE_SPECS = [
    ModuleSpec("Identity", module_cases(batched(lambda c: ()), args=(st.integers(0, 3),))),
    ModuleSpec("Linear", module_cases(batched(lambda c: (c.kwargs["in_features"],)),
                                      kwargs={"in_features": FEATURES, "out_features": FEATURES,
                                              "bias": st.booleans()})),
]

ERRORS = {
    "Linear": (
        ModuleErrorCase("input features", (3, 2), inputs=(__import__("numpy").ones((4, 5), "float32"),),
                        fragments=("4x5", "3x2")),
    ),
}
KNOWN_FAILURES: dict = {}
