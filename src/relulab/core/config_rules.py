"""Rules the JSON schema cannot say: keys that must agree with each other, and jobs too big to run.

Called by configuration.validate after the schema (types, bounds, enumerations) has passed; every
message names the key, the value and the rule, on one line.
"""

from __future__ import annotations

MAX_WIDTH = 4096
MAX_JOB_BYTES = 16 * 2 ** 30  # one job's memory limit
MAX_JOB_SECONDS = 24 * 3600  # one job's CPU-time limit
CPU_FLOPS = 2e9  # sustained float32 flop/s of one core on these small matmuls (order of magnitude)
ADAM_COPIES = 4  # weights, gradients and Adam's two moments


class ConfigError(ValueError):
    """The config breaks a rule; the message names the key, the bad value and what is allowed."""


def check(config: dict) -> None:
    """Raise ConfigError for the first broken cross-key rule or oversized job."""
    for message in _cross_key(config):
        raise ConfigError(message)
    for i, arch in enumerate(config["surfaces"]["archs"] + config["surfaces"]["classify_archs"]):
        key = f"surfaces.archs[{i}]" if i < len(config["surfaces"]["archs"]) else \
            f"surfaces.classify_archs[{i - len(config['surfaces']['archs'])}]"
        message = _arch_problem(key, arch, config)
        if message:
            raise ConfigError(message)


def _cross_key(cfg: dict):
    g, r, s, im, so = cfg["gradients"], cfg["regions"], cfg["surfaces"], cfg["images"], cfg["second_order"]
    if im["seeds"] > cfg["seeds"]:
        yield (f"config key images.seeds: {im['seeds']} is more than the global seeds ({cfg['seeds']}); "
               "the images family trains the first images.seeds of them")
    if g["spike_step"] >= g["spike_steps"]:
        yield (f"config key gradients.spike_step: {g['spike_step']} must be below gradients.spike_steps "
               f"({g['spike_steps']}): the large update happens during the run")
    for every, steps, fam, d in (("track_every", "track_steps", "gradients", g),
                                 ("saturation_every", "saturation_steps", "gradients", g),
                                 ("rms_every", "rms_steps", "second_order", so)):
        if d[every] > d[steps]:
            yield (f"config key {fam}.{every}: {d[every]} is more than {fam}.{steps} ({d[steps]}): "
                   "nothing would be recorded after the start")
    missing = [a for a in r["activations"] if a not in s["activations"]]
    if missing:
        yield (f"config key regions.activations: {', '.join(missing)} not in surfaces.activations "
               f"({', '.join(s['activations'])}); regions counts the surfaces checkpoints of these activations")
    if r["map_task"] not in s["tasks"]:
        yield (f"config key regions.map_task: {r['map_task']!r} not in surfaces.tasks ({', '.join(s['tasks'])}); "
               "the region map draws a surfaces checkpoint of this task")


def surfaces_job_cost(widths: tuple[int, ...], config: dict) -> tuple[int, float, float]:
    """(parameters per network, bytes, CPU seconds) of one surfaces training job: an order-of-magnitude estimate.

    Memory: every seed's weights, gradients and Adam moments, the batch's activations forward and
    backward, and the float64 evaluation grid. Time: 6 flops per parameter per example per step.
    """
    s = config["surfaces"]
    sizes = (2, *widths, 1)
    n_params = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
    seeds = config["seeds"]
    batch = s["batch_size"] or s["n_train"]
    units = sum(widths)
    grid = s["planar_grid"] ** 2
    n_bytes = seeds * (ADAM_COPIES * 4 * n_params + 3 * 4 * batch * units + 8 * grid * max(widths, default=1))
    seconds = 6.0 * n_params * batch * s["steps"] * seeds / CPU_FLOPS
    return n_params, float(n_bytes), seconds


def _arch_problem(key: str, arch: str, config: dict) -> str | None:
    widths = () if arch == "linear" else tuple(int(w) for w in arch.split("x"))
    n_params, n_bytes, seconds = surfaces_job_cost(widths, config)
    estimate = (f"one training job ({config['seeds']} seeds, {config['surfaces']['steps']} steps) needs about "
                f"{_size(n_bytes)} of memory and {_duration(seconds)} of CPU time ({n_params:.3g} parameters "
                "per network, an order-of-magnitude estimate)")
    if widths and max(widths) > MAX_WIDTH:
        return f"config key {key}: {arch!r} has a layer wider than {MAX_WIDTH}; {estimate}"
    if n_bytes > MAX_JOB_BYTES or seconds > MAX_JOB_SECONDS:
        return (f"config key {key}: {arch!r} is too big to run: {estimate}; the limits are "
                f"{_size(MAX_JOB_BYTES)} and {_duration(MAX_JOB_SECONDS)} per job")
    return None


def _size(n: float) -> str:
    for unit, scale in (("TiB", 2 ** 40), ("GiB", 2 ** 30), ("MiB", 2 ** 20)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n / 2 ** 10:.3g} KiB"


def _duration(s: float) -> str:
    for unit, scale in (("years", 365 * 86400), ("days", 86400), ("h", 3600), ("min", 60)):
        if s >= 2 * scale:
            return f"{s / scale:.3g} {unit}"
    return f"{s:.3g} s"


def data_problem(config: dict) -> str | None:
    """One line if a family is configured to use Fashion-MNIST and its files are missing, else None."""
    from .data import fashion_mnist_missing

    users = [f"{fam}.dataset" for fam in ("gradients", "images") if config[fam]["dataset"] == "fashion_mnist"]
    if not users:
        return None
    message = fashion_mnist_missing(config["fashion_mnist_dir"])
    return f"{message} (needed by {', '.join(users)})" if message else None


def export_data_dir(config: dict) -> None:
    """Tell this process and the jobs it starts where Fashion-MNIST lives (data.fashion_mnist_dir reads it)."""
    import os

    from .data import FASHION_MNIST_ENV

    os.environ[FASHION_MNIST_ENV] = config["fashion_mnist_dir"]
