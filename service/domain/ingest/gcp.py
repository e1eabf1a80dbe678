"""Pair GCP's host-VM rows with their GPU rows, and size TPU slices.

In GCP's catalogue a GPU VM is two rows in one zone: the host machine type (e.g.
`a3-highgpu-8g`, no accelerator) and the GPUs alone (empty `InstanceType`,
`AcceleratorName` H100, `AcceleratorCount` 8). The VM's price is their sum.
"""

from __future__ import annotations

import re
from decimal import Decimal

from service.domain.aliases import AliasResolver
from service.domain.ingest.rows import RawRow, entry_from_row
from service.domain.snapshot import Anomaly, SnapshotEntry

# Machine families with a fixed GPU: host pattern (group 1 = GPU count) -> GPU row
# name. Google Cloud docs, "GPU machine types" (A2, A3, A4 series).
GPU_HOST_FAMILIES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"a2-highgpu-(\d+)g"), "A100"),
    (re.compile(r"a2-megagpu-(16)g"), "A100"),
    (re.compile(r"a2-ultragpu-(\d+)g"), "A100-80GB"),
    (re.compile(r"a3-highgpu-(\d+)g"), "H100"),
    (re.compile(r"a3-edgegpu-(8)g"), "H100"),
    (re.compile(r"a3-megagpu-(8)g"), "H100-MEGA"),
    (re.compile(r"a3-ultragpu-(8)g"), "H200"),
    (re.compile(r"a4-highgpu-(8)g"), "B200"),
)
# G2 machine types carry L4 GPUs by size (Google Cloud docs, "G2 machine series").
G2_L4_COUNT = {4: 1, 8: 1, 12: 1, 16: 1, 24: 2, 32: 1, 48: 4, 96: 8}
G2_PATTERN = re.compile(r"g2-standard-(\d+)")
# GPUs that attach to N1 hosts; the host is our choice, documented in the README:
# n1-standard with 4 vCPUs per GPU and at least 8 (SkyPilot also defaults to
# n1-standard-8 for small counts).
N1_ATTACHED = frozenset({"T4", "V100", "P100", "P4"})
# TPU slice names count TensorCores for v2-v4 and v5p (2 per chip) and chips for
# v5e and v6e (Google Cloud TPU docs, "TPU versions" / accelerator types).
TPU_PATTERN = re.compile(r"(tpu-v[0-9]+[a-z]*)-(\d+)")
TPU_CORES_PER_CHIP = {"tpu-v2": 2, "tpu-v3": 2, "tpu-v4": 2, "tpu-v5p": 2}

Place = tuple[str, str | None]


def n1_host_for(gpu_count: int) -> str:
    """The N1 machine type paired with a number of attached GPUs."""
    return f"n1-standard-{max(8, 4 * gpu_count)}"


def pair_gcp_rows(
    rows: list[RawRow], resolver: AliasResolver, anomalies: list[Anomaly]
) -> list[SnapshotEntry]:
    """Turn GCP rows into offers: host plus GPUs summed per zone, TPU slices alone."""
    hosts: dict[tuple[Place, str], RawRow] = {}
    gpus: dict[tuple[Place, str, int], RawRow] = {}
    entries: list[SnapshotEntry] = []
    for raw in rows:
        place = (raw.region, raw.zone)
        if raw.accelerator_name.lower().startswith("tpu-"):
            entries.extend(_tpu_entry(raw, resolver, anomalies))
        elif raw.instance_type:
            hosts.setdefault((place, raw.instance_type), raw)
        elif raw.accelerator_count is not None:
            key = (place, raw.accelerator_name, int(raw.accelerator_count))
            gpus.setdefault(key, raw)

    used: set[int] = set()
    cpu_only = 0
    for (place, machine_type), host in hosts.items():
        attached = _attached_gpu(machine_type)
        if attached is None:
            cpu_only += 1
            continue
        name, count = attached
        gpu = gpus.get((place, name, count))
        if gpu is None:
            anomalies.append(
                Anomaly(
                    host.line,
                    "gpu_price_missing",
                    f"{machine_type} needs {count}x {name} in {place[1] or place[0]}",
                )
            )
            continue
        used.add(gpu.line)
        entries.extend(_paired_entry(host, gpu, name, count, resolver, anomalies))

    for (place, name, count), gpu in gpus.items():
        if name not in N1_ATTACHED:
            continue
        host_row = hosts.get((place, n1_host_for(count)))
        if host_row is None:
            continue
        used.add(gpu.line)
        entries.extend(_paired_entry(host_row, gpu, name, count, resolver, anomalies))

    for gpu in gpus.values():
        if gpu.line not in used:
            anomalies.append(
                Anomaly(
                    gpu.line,
                    "gpu_without_host",
                    f"no host VM for {gpu.accelerator_count}x {gpu.accelerator_name} "
                    f"in {gpu.zone or gpu.region}",
                )
            )
    if cpu_only:
        anomalies.append(
            Anomaly(
                None,
                "host_without_accelerator",
                f"{cpu_only} host rows carry no accelerator of their own "
                "(N1 rows serve as hosts for attached GPUs)",
            )
        )
    return entries


def _attached_gpu(machine_type: str) -> tuple[str, int] | None:
    for pattern, gpu_name in GPU_HOST_FAMILIES:
        match = pattern.fullmatch(machine_type)
        if match:
            return gpu_name, int(match.group(1))
    g2 = G2_PATTERN.fullmatch(machine_type)
    if g2 and int(g2.group(1)) in G2_L4_COUNT:
        return "L4", G2_L4_COUNT[int(g2.group(1))]
    return None


def _paired_entry(
    host: RawRow,
    gpu: RawRow,
    name: str,
    count: int,
    resolver: AliasResolver,
    anomalies: list[Anomaly],
) -> list[SnapshotEntry]:
    resolution = resolver.resolve("gcp", name, host.instance_type)
    if resolution.accelerator_id is None:
        anomalies.append(
            Anomaly(gpu.line, "unmapped_accelerator", resolution.reason or "")
        )
        return []
    prices: dict[str, Decimal] = {}
    for model in host.prices.keys() & gpu.prices.keys():
        parts = {"host": host, "GPU": gpu}
        bad = [f"{k} row {r.line}" for k, r in parts.items() if r.prices[model] <= 0]
        if bad:
            anomalies.append(
                Anomaly(
                    host.line,
                    "zero_price",
                    f"{model} of {host.instance_type} is zero in {', '.join(bad)}",
                )
            )
            continue
        prices[model] = host.prices[model] + gpu.prices[model]
    return [
        entry_from_row(
            host,
            provider="gcp",
            accelerator_id=resolution.accelerator_id,
            accelerator_count=Decimal(count),
            prices=prices,
            rows=(host.line, gpu.line),
        )
    ]


def _tpu_entry(
    raw: RawRow, resolver: AliasResolver, anomalies: list[Anomaly]
) -> list[SnapshotEntry]:
    match = TPU_PATTERN.fullmatch(raw.accelerator_name.lower())
    if match is None:
        anomalies.append(
            Anomaly(raw.line, "unmapped_accelerator", f"TPU {raw.accelerator_name!r}")
        )
        return []
    family, size = match.group(1), int(match.group(2))
    cores_per_chip = TPU_CORES_PER_CHIP.get(family, 1)
    if size < 1 or size % cores_per_chip or size // cores_per_chip > 65_536:
        anomalies.append(
            Anomaly(
                raw.line,
                "bad_accelerator_count",
                f"TPU slice {raw.accelerator_name!r}: {size} is not a whole number "
                f"of chips of {cores_per_chip} cores",
            )
        )
        return []
    resolution = resolver.resolve("gcp", family, raw.accelerator_name)
    if resolution.accelerator_id is None:
        anomalies.append(
            Anomaly(raw.line, "unmapped_accelerator", resolution.reason or "")
        )
        return []
    chips = Decimal(size // cores_per_chip)
    return [
        entry_from_row(
            raw,
            provider="gcp",
            accelerator_id=resolution.accelerator_id,
            accelerator_count=chips,
            instance_type=raw.accelerator_name,
        )
    ]
