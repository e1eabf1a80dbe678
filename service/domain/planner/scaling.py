"""How a job's time falls as instances are added (search.py finds the count needed).

Scaling efficiency across instances: communication that grows with the number of
instances, smaller over a faster interconnect,

    efficiency(n) = 1 / (1 + c * log2(n)),     1 within one instance,

a judged form (the log2 is the depth of a tree all-reduce, as NCCL's trees) with
c fitted to Megatron-LM's measured data-parallel scaling (see
defaults.SCALING_OVERHEAD_FAST).
Loss inside an instance is part of the model FLOPs utilisation, which is why n counts
instances, not accelerators. The default MFUs come from runs on thousands of GPUs
that already paid some of this cost, so at such scales the model errs slow.
"""

from __future__ import annotations

import math


def scaling_efficiency(instances: int, overhead_per_doubling: float) -> float:
    """Return 1 / (1 + c log2(instances)), the share of linear speed-up kept."""
    return 1.0 / (1.0 + overhead_per_doubling * math.log2(instances))
