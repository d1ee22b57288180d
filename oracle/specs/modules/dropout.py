"""ModuleSpecs of refgrad.nn.modules.dropout: Dropout, Dropout1d/2d/3d, AlphaDropout, FeatureAlphaDropout.

Random in training, so each runs in eval mode (the identity) with p drawn (inplace=True in an [inplace] variant,
forward only), and in a [deterministic]
variant in both modes with the p at which training draws nothing: p = 0 (the input, scaled by 1) and, for the
zeroing forms, p = 1 (all zero). The random training forms are checked by structure in tests/test_dropout.py (F's
distributions) and tests/test_simple_modules.py (the module passes self.training and p through)."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ... import strategies as S
from ...module_cases import module_cases
from ...module_spec import ModuleErrorCase, ModuleSpec

EVAL_REASON = "random in training: eval mode here; training by structure (tests/test_dropout.py, test_simple_modules)"
PROBABILITIES = st.sampled_from([0.0, 0.2, 0.5, 0.9, 1.0])
RANKS = {  # the input ranks each form takes without a deprecation warning (Dropout2d's 3-D input warns, as torch)
    "Dropout": (0, 4), "Dropout1d": (2, 3), "Dropout2d": (3, 4), "Dropout3d": (4, 5), "AlphaDropout": (0, 4),
    "FeatureAlphaDropout": (2, 4),
}


def _inputs(name: str):
    low, high = RANKS[name]

    def inputs(config, dtype):
        return S.shapes(low, high, max_side=3).flatmap(lambda s: S.arrays(dtype, s)).map(lambda x: (x,))

    return inputs


def _specs(name: str, deterministic_p: tuple) -> list[ModuleSpec]:
    return [
        ModuleSpec(name, module_cases(_inputs(name), kwargs={"p": PROBABILITIES}), modes=("eval",),
                   modes_reason=EVAL_REASON),
        # torch's unbatched feature forms unsqueeze_ the input in place even in eval mode, which it refuses on the
        # leaf requiring grad that the gradient checks pass: inplace=True is checked forward only
        ModuleSpec(name, module_cases(_inputs(name), kwargs={"p": PROBABILITIES, "inplace": st.just(True)}),
                   variant="inplace", checks=("state_dict", "forward"), modes=("eval",), modes_reason=EVAL_REASON),
        ModuleSpec(name, module_cases(_inputs(name), kwargs={"p": st.sampled_from(deterministic_p)}),
                   variant="deterministic", notes=f"p in {deterministic_p}: training draws nothing"),
    ]


MODULE_SPECS = [
    *_specs("Dropout", (0.0, 1.0)),
    *_specs("Dropout1d", (0.0, 1.0)),
    *_specs("Dropout2d", (0.0, 1.0)),
    *_specs("Dropout3d", (0.0, 1.0)),
    *_specs("AlphaDropout", (0.0,)),
    *_specs("FeatureAlphaDropout", (0.0,)),
]

ERRORS = {
    name: (ModuleErrorCase("p above 1", (1.5,), fragments=("between 0 and 1", "1.5")),
           ModuleErrorCase("negative p", (-0.1,), fragments=("between 0 and 1", "-0.1")))
    for name in RANKS
}
ERRORS["Dropout1d"] += (ModuleErrorCase("4-D input", inputs=(np.ones((1, 2, 2, 2), "float32"),),
                                        fragments=("Expected 2D or 3D input", "4D input")),)
KNOWN_FAILURES: dict = {}
