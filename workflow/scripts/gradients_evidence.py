"""Claim statistics, summary tables, values and the manifest of the gradients family."""
import pandas as pd

from relulab.studies.gradients import convergence, dying, flow as gradstats
from relulab.core import evidence, runtime
from relulab.core.stats import summarize

log = runtime.start(snakemake)
inp, out, cfg = snakemake.input, snakemake.output, snakemake.params.cfg
read = {k: pd.read_csv(inp[k]) for k in ("layers", "derivatives", "track", "deep", "sweep", "spike_fate", "born",
                                         "speed", "centering", "drift", "small", "saturation")}
ev = {"A3": "fig-gradients-heatmap tbl-gradients-decay fig-gradients-training",
      "F6": "fig-gradients-training tbl-gradients-decay", "R6": "fig-gradients-heatmap tbl-gradients-decay",
      "A4": "fig-gradients-dead-units tbl-gradients-dead", "A4_born": "fig-gradients-born-dead tbl-gradients-born-dead",
      "F8": "fig-gradients-dead-units tbl-gradients-spike", "F7": "fig-gradients-speed tbl-gradients-speed",
      "F5": "fig-gradients-speed tbl-gradients-speed", "A5": "fig-gradients-speed tbl-gradients-centering",
      "A5_drift": "fig-gradients-drift", "F4": "tbl-gradients-small-nets", "F2": "tbl-gradients-small-nets"}
rows = gradstats.claim_rows(read["layers"], read["derivatives"], read["track"], read["deep"], ev)
rows += gradstats.saturation_rows(read["saturation"], "fig-gradients-saturation-long")
rows += dying.claim_rows(read["sweep"], read["spike_fate"], read["born"], ev)
more, tables = convergence.claim_rows(read["speed"], read["centering"], read["drift"], read["small"], cfg, ev)
evidence.write_claims(pd.DataFrame(rows + more), out.claims)
decay = gradstats.decay_table(read["layers"])
evidence.atomic_write_csv(pd.concat([summarize(decay, ["activation", "init", "depth"], c).assign(statistic=c)
                                     for c in ("decay_factor", "first_last_ratio")]), out.decay)
evidence.atomic_write_csv(summarize(dying.final_dead(read["sweep"]), ["depth", "lr"], "dead_fraction"), out.dead)
evidence.atomic_write_csv(dying.spike_per_seed(read["spike_fate"]), out.spike)
evidence.atomic_write_csv(read["born"], out.born)
evidence.atomic_write_csv(summarize(tables["speed"], ["cell", "lr"], "censored_steps").merge(
    tables["stability"].groupby("activation", as_index=False).max_stable_lr.median(), left_on="cell",
    right_on="activation").drop(columns="activation"), out.speed)
evidence.atomic_write_csv(summarize(tables["centering"], ["cell", "lr"], "censored_steps"), out.centering)
evidence.atomic_write_csv(summarize(convergence.final_rows(read["small"]), ["cell"], "test_acc"), out.small)
figs = {p.rsplit("/", 1)[-1]: p for p in inp.figures}
manifest = [
    ("fig-gradients-heatmap", figs["gradient_heatmap.png"], "A3 R6 F6",
     "Back-propagated gradient norm per hidden layer at initialization, relative to the last hidden layer (log10, "
     "median over seeds, colour clipped at 3 decades), for every depth; each activation at its recommended init. "
     "Blue: smaller near the input."),
    ("fig-gradients-training", figs["training_layers.png"], "A3 F6",
     "Left: fraction of saturated units per layer along SGD training (median, interquartile band). Right: training "
     "accuracy of deep networks, ReLU with Xavier or He init and sigmoid with Xavier init, SGD with momentum."),
    ("fig-gradients-saturation-long", figs["saturation_long.png"], "F6",
     f"Exploratory long runs (not in F6's decision rule): sigmoid networks of the tracked depth and init trained "
     f"for {int(read['saturation'].step.max())} SGD steps (the tracked runs: {int(read['track'].step.max())}) at "
     "several learning rates. Top hidden layer: mean activation (left) and saturated fraction (middle); training "
     "accuracy (right, chance 0.1). Median over seeds, band: interquartile range."),
    ("tbl-gradients-decay", out.decay, "A3 R6 F6",
     "Per-layer decay factor of the back-propagated gradient norm (least-squares fit; < 1 shrinks towards the "
     "input) and first/last-layer gradient-norm ratio, median over seeds with 95% bootstrap CI."),
    ("fig-gradients-dead-units", figs["dead_units.png"], "A4 F8",
     "Dead ReLU units (zero on every probe image): at the end of training vs learning rate and depth; along "
     "training for the deepest networks; per layer before and after one deliberately large update (dashed)."),
    ("tbl-gradients-dead", out.dead, "A4", "Fraction of dead hidden units at the end of SGD training per depth "
     "and learning rate, median over seeds with 95% bootstrap CI."),
    ("tbl-gradients-spike", out.spike, "F8", "Per seed: fraction of live units killed by the large update and "
     "fraction of those still dead at the end of training."),
    ("fig-gradients-born-dead", figs["born_dead.png"], "A4",
     "Probability that a random deep narrow ReLU network is born dead: Monte Carlo at one input (o, 95% Wilson "
     "interval), on a whole probe set of the domain (x), and the closed form 1-(1-2^-N)^L (lines)."),
    ("tbl-gradients-born-dead", out.born, "A4", "Born-dead Monte Carlo per width, depth and bias scale, with "
     "Wilson intervals and the closed form for one input."),
    ("fig-gradients-speed", figs["speed.png"], "F7 F5 A5",
     "Left: SGD steps to the target training error per activation and learning rate (budget when never reached). "
     "Right: test accuracy of the zero-centring variants at their best learning rate (target dashed)."),
    ("tbl-gradients-speed", out.speed, "F7 F5", "Steps to the target training error per activation and learning "
     "rate (median, 95% CI, censored at the budget) and the median largest stable learning rate."),
    ("tbl-gradients-centering", out.centering, "A5", "Steps to the target test accuracy per variant and learning "
     "rate (median over seeds, 95% CI, censored at the budget)."),
    ("fig-gradients-drift", figs["drift.png"], "A5", "15th, 50th and 85th percentiles of one last-layer sigmoid "
     "unit's input along training (first seed), without and with batch norm (Ioffe & Szegedy 2015, Fig. 1)."),
    ("tbl-gradients-small-nets", out.small, "F4 F2", "Final test accuracy (median, 95% CI) of tanh and sigmoid "
     "networks from small or Xavier initialization, and of ReLU vs staircase networks."),
]
evidence.write_manifest(pd.DataFrame(manifest, columns=["id", "path", "claims", "caption"]).assign(
    kind=lambda m: m.id.str.split("-").str[0].map({"fig": "figure", "tbl": "table"})), out.manifest)
values = {f"{r['claim_id']}_{r['statistic']}": round(r["value"], 4) for r in rows + more}
evidence.write_values(values, out.values)
