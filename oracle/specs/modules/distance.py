"""ModuleSpecs of refgrad.nn.modules.distance: PairwiseDistance and CosineSimilarity, on their functions' cases
(oracle/specs/distance.py, whose docstring says how they keep off the norms' kinks and why)."""
from __future__ import annotations

import numpy as np

from ...module_spec import ModuleErrorCase, ModuleSpec
from ..distance import cosine_cases, pairwise_cases
from ._functional import from_functional

MODULE_SPECS = [
    ModuleSpec("PairwiseDistance", from_functional(pairwise_cases, n_inputs=2)),
    ModuleSpec("CosineSimilarity", from_functional(cosine_cases(), n_inputs=2)),
]

ERRORS = {
    "PairwiseDistance": (ModuleErrorCase("sizes", inputs=(np.ones((2, 3), "float32"), np.ones((2, 4), "float32")),
                                         fragments=("size of tensor a (3)", "tensor b (4)")),),
    "CosineSimilarity": (ModuleErrorCase("dim out of range", (2,), inputs=(np.ones((2, 3), "float32"),) * 2,
                                         fragments=("[-2, 1]", "2")),),
}
KNOWN_FAILURES: dict = {}
