"""refgrad.nn.modules.instancenorm: mirrors torch.nn.modules.instancenorm (InstanceNorm1d/2d/3d)."""
from __future__ import annotations

import warnings

from .. import functional as F
from .batchnorm import _NormBase

__all__ = ["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"]


class _InstanceNorm(_NormBase):
    """torch's _InstanceNorm: F.instance_norm, each sample's channels normalized over their spatial dims, with the
    instance statistics in training and wherever running statistics are not tracked (track_running_stats=False, the
    default), else the running ones; momentum None counts as 0. Takes unbatched (C, *spatial) input too. A channel
    count other than num_features is an error when affine, otherwise torch's UserWarning (num_features unused)."""

    _no_batch_dims: int  # the rank of an unbatched input

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, affine: bool = False,
                 track_running_stats: bool = False, device=None, dtype=None, *, bias: bool = True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def _check_input_dim(self, input) -> None:
        ranks = (self._no_batch_dims, self._no_batch_dims + 1)
        if input.dim() not in ranks:
            raise ValueError(f"expected {ranks[0]}D or {ranks[1]}D input (got {input.dim()}D input)")

    def _apply_instance_norm(self, input):
        return F.instance_norm(input, self.running_mean, self.running_var, self.weight, self.bias,
                               self.training or not self.track_running_stats,
                               0.0 if self.momentum is None else self.momentum, self.eps)

    def _load_from_state_dict(self, state_dict, prefix, missing_keys, unexpected_keys, error_msgs, assign) -> None:
        # torch refuses running statistics for a module that does not track them (and drops them, so that they are
        # not reported as unexpected too), naming them
        stale = [prefix + name for name in ("running_mean", "running_var")
                 if not self.track_running_stats and prefix + name in state_dict]
        if stale:
            klass = type(self).__name__
            error_msgs.append(
                "Unexpected running stats buffer(s) {} for {} with track_running_stats=False. If state_dict is a "
                "checkpoint saved before 0.4.0, this may be expected because {} does not track running stats by "
                "default since 0.4.0. Please remove these keys from state_dict. If the running stats are actually "
                "needed, instead set track_running_stats=True in {} to enable them. See the documentation of {} for "
                "details.".format(" and ".join(f'"{k}"' for k in stale), klass, klass, klass, klass))
            state_dict = {k: v for k, v in state_dict.items() if k not in stale}
        super()._load_from_state_dict(state_dict, prefix, missing_keys, unexpected_keys, error_msgs, assign)

    def forward(self, input):
        self._check_input_dim(input)
        feature_dim = input.dim() - self._no_batch_dims
        if input.shape[feature_dim] != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={feature_dim} to match num_features "
                                 f"({self.num_features}), but got: {input.shape[feature_dim]}.")
            warnings.warn(f"input's size at dim={feature_dim} does not match num_features. You can silence this "
                          "warning by not passing in num_features, which is not used because affine=False",
                          stacklevel=2)
        if input.dim() == self._no_batch_dims:
            return self._apply_instance_norm(input.unsqueeze(0)).squeeze(0)
        return self._apply_instance_norm(input)


class InstanceNorm1d(_InstanceNorm):
    """torch.nn.InstanceNorm1d(num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False,
    device=None, dtype=None, *, bias=True): over (N, C, L) or unbatched (C, L) inputs."""

    _no_batch_dims = 2


class InstanceNorm2d(_InstanceNorm):
    """torch.nn.InstanceNorm2d: as InstanceNorm1d, over (N, C, H, W) or (C, H, W) inputs."""

    _no_batch_dims = 3


class InstanceNorm3d(_InstanceNorm):
    """torch.nn.InstanceNorm3d: as InstanceNorm1d, over (N, C, D, H, W) or (C, D, H, W) inputs."""

    _no_batch_dims = 4
