"""Distance functions (torch.nn.functional): cosine_similarity, pairwise_distance, pdist, cdist."""
from __future__ import annotations
