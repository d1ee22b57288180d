"""refgrad.nn.modules.batchnorm: mirrors torch.nn.modules.batchnorm (BatchNorm1d/2d/3d, and _NormBase, which the
instance norms share)."""
from __future__ import annotations

from collections import ChainMap

import numpy as np

from ... import creation
from .. import functional as F
from .module import Module
from .normalization import _affine_parameters, _reset_affine
from .utils import new_buffer

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"]


class _NormBase(Module):
    """torch's _NormBase: per-channel weight (ones) and bias (zeros) when affine (bias=False keeps the weight only),
    and, when track_running_stats, the buffers running_mean (zeros), running_var (ones) and num_batches_tracked
    (int64 0); otherwise those three are None, as in torch (absent from the state_dict)."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None, *, bias: bool = True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        _affine_parameters(self, (num_features,), affine, bias, device, dtype)
        if track_running_stats:
            # creation's zeros refuses a negative num_features as torch does (RuntimeError), where NumPy's would not
            self.register_buffer("running_mean", new_buffer(creation.zeros(num_features), device=device, dtype=dtype))
            self.register_buffer("running_var", new_buffer(creation.ones(num_features), device=device, dtype=dtype))
            self.register_buffer("num_batches_tracked", new_buffer(np.array(0, np.int64), device=device))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            _reset_affine(self)

    def _check_input_dim(self, input) -> None:
        raise NotImplementedError

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")

    def _load_from_state_dict(self, state_dict, prefix, missing_keys, unexpected_keys, error_msgs, assign) -> None:
        # torch fills in a missing num_batches_tracked (checkpoints older than its version 2, and every plain dict:
        # refgrad keeps no version metadata) with the module's own count
        key = prefix + "num_batches_tracked"
        if self.track_running_stats and key not in state_dict:
            state_dict = ChainMap({key: self.num_batches_tracked}, state_dict)
        super()._load_from_state_dict(state_dict, prefix, missing_keys, unexpected_keys, error_msgs, assign)


class _BatchNorm(_NormBase):
    """torch's _BatchNorm: F.batch_norm with the batch's statistics in training (updating the running ones when
    tracked: momentum, or the cumulative average 1 / num_batches_tracked when momentum is None) and the running
    statistics in eval mode (the batch's when they are not tracked)."""

    def forward(self, input):
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked.item())
        use_batch_statistics = self.training or (self.running_mean is None and self.running_var is None)
        pass_running = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if pass_running else None,
                            self.running_var if pass_running else None, self.weight, self.bias,
                            use_batch_statistics, factor, self.eps)


class BatchNorm1d(_BatchNorm):
    """torch.nn.BatchNorm1d(num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
    device=None, dtype=None, *, bias=True): over (N, C) or (N, C, L) inputs."""

    def _check_input_dim(self, input) -> None:
        if input.dim() not in (2, 3):
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class BatchNorm2d(_BatchNorm):
    """torch.nn.BatchNorm2d: as BatchNorm1d, over (N, C, H, W) inputs."""

    def _check_input_dim(self, input) -> None:
        if input.dim() != 4:
            raise ValueError(f"expected 4D input (got {input.dim()}D input)")


class BatchNorm3d(_BatchNorm):
    """torch.nn.BatchNorm3d: as BatchNorm1d, over (N, C, D, H, W) inputs."""

    def _check_input_dim(self, input) -> None:
        if input.dim() != 5:
            raise ValueError(f"expected 5D input (got {input.dim()}D input)")
