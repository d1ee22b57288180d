"""The grad-mode flags every op reads.

They sit at the bottom of refgrad's layers, as torch keeps its GradMode in c10 below its tensors, because
tensor.py reads them as well as autograd; the switches users call (no_grad, enable_grad, set_grad_enabled,
inference_mode) are refgrad.autograd.grad_mode's.
"""

state = {
    "grad": True,  # is_grad_enabled()
    "inference": False,  # is_inference_mode_enabled()
    "record": True,  # whether ops record a graph: grad mode on and inference mode off
    "forward_ad": False,  # whether ops carry tangents: on only inside refgrad.func.jvp (torch's dual level)
}
