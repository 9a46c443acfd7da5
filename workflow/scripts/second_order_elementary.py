"""Transfer functions (H1, H2), one neuron (H2, H3, F3) and the hand-written back-prop check (R7)."""
import numpy as np

from relulab.core import evidence, runtime
from relulab.studies.second_order import experiments

log = runtime.start(snakemake)
cfg, seeds, out = snakemake.params.cfg, snakemake.params.seeds, snakemake.output
names = cfg["transfer_functions"]
points = np.linspace(-3, 3, cfg["fd_points"]).tolist()
evidence.atomic_write_csv(experiments.second_derivatives(names, points, cfg["fd_step"]), out.derivatives)
newton = experiments.scalar_newton_paths(names, cfg["newton_starts"], cfg["newton_steps"])
evidence.atomic_write_csv(newton, out.newton)
n, d = cfg["neuron_n"], cfg["neuron_in_dim"]
evidence.atomic_write_csv(experiments.neuron_newton(seeds, n, d, cfg["neuron_steps"]), out.neuron)
convexity = experiments.neuron_convexity(seeds, n, d, cfg["convex_points"], cfg["convex_scale"])
evidence.atomic_write_csv(convexity, out.convexity)
landscape, minima = experiments.one_d_landscape(cfg["oned_x"], cfg["oned_y"], cfg["oned_w_max"], cfg["oned_grid"],
                                                cfg["oned_prominence"])
log.info("1-D data set: %d local minima at w = %s", len(minima), minima.w.round(3).tolist() if len(minima) else [])
evidence.atomic_write_csv(landscape, out.landscape)
evidence.atomic_write_csv(minima, out.minima)
check = experiments.gradient_checks(cfg["check_activations"], cfg["check_widths"], cfg["check_n"], seeds)
log.info("gradient check: max relative error %.3g", check.rel_error.max())
evidence.atomic_write_csv(check, out.gradcheck)
