"""Transfer functions (H1, H2), one neuron (H2, H3, F3) and the hand-written back-prop check (R7)."""
import numpy as np

from relulab.core import evidence, runtime
from relulab.studies.second_order import experiments as so

log = runtime.start(snakemake)
cfg, seeds, out = snakemake.params.cfg, snakemake.params.seeds, snakemake.output
names = cfg["transfer_functions"]
points = np.linspace(-3, 3, cfg["fd_points"]).tolist()
evidence.atomic_write_csv(so.second_derivatives(names, points, cfg["fd_step"]), out.derivatives)
evidence.atomic_write_csv(so.scalar_newton_paths(names, cfg["newton_starts"], cfg["newton_steps"]), out.newton)
evidence.atomic_write_csv(so.neuron_newton(seeds, cfg["neuron_n"], cfg["neuron_in_dim"], cfg["neuron_steps"]),
                          out.neuron)
evidence.atomic_write_csv(so.neuron_convexity(seeds, cfg["neuron_n"], cfg["neuron_in_dim"], cfg["convex_points"],
                                              cfg["convex_scale"]), out.convexity)
landscape, minima = so.one_d_landscape(cfg["oned_x"], cfg["oned_y"], cfg["oned_w_max"], cfg["oned_grid"],
                                       cfg["oned_prominence"])
log.info("1-D data set: %d local minima at w = %s", len(minima), minima.w.round(3).tolist() if len(minima) else [])
evidence.atomic_write_csv(landscape, out.landscape)
evidence.atomic_write_csv(minima, out.minima)
check = so.gradient_checks(cfg["check_activations"], cfg["check_widths"], cfg["check_n"], seeds)
log.info("gradient check: max relative error %.3g", check.rel_error.max())
evidence.atomic_write_csv(check, out.gradcheck)
