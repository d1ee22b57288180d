"""AdamW: mirrors torch.optim.AdamW, which torch (2.x) defines as Adam with decoupled weight decay."""
from __future__ import annotations

from .adam import Adam

__all__ = ["AdamW"]


class AdamW(Adam):
    r"""torch.optim.AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
    maximize=False, foreach=None, capturable=False, differentiable=False, fused=None): Adam with decoupled weight
    decay, and a default weight_decay of 1e-2.

    For each parameter θ with gradient g, at step t = 1, 2, ... (γ = lr, β₁, β₂ = betas, λ = weight_decay; the
    averages m, v and v_max start at zero):

        g ← −g                                  if maximize
        θ ← θ (1 − γ λ)                         the decay shrinks θ directly; the averages never see it
        m ← β₁ m + (1 − β₁) g
        v ← β₂ v + (1 − β₂) g²
        v_max ← max(v_max, v), v ← v_max        if amsgrad
        θ ← θ − γ / (1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)

    The same as ``Adam(..., decoupled_weight_decay=True)``: its groups hold ``decoupled_weight_decay=True`` as
    torch's do, and it takes no ``decoupled_weight_decay`` argument. State, flags and errors as Adam's.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 1e-2,
                 amsgrad: bool = False, *, maximize: bool = False, foreach=None, capturable: bool = False,
                 differentiable: bool = False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        for group in self.param_groups:  # a loaded Adam state_dict still decays as AdamW, as torch's
            group["decoupled_weight_decay"] = True
