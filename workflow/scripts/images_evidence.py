"""Claim statistics, summary tables, values and the manifest of the images family."""
import pandas as pd

from relulab.core import evidence, runtime
from relulab.studies.images import experiments as images

log = runtime.start(snakemake)
inp, out = snakemake.input, snakemake.output
read = lambda paths: pd.concat([pd.read_csv(p) for p in paths])
t = {"metrics": read(inp.metrics), "acts": read(inp.acts), **{k: pd.read_csv(inp[k]) for k in (
    "filters", "pairs", "probes", "channels", "head", "invariance")}}
fig = {p.rsplit("/", 1)[-1][:-4]: p for p in inp.figures}
ev = {"C1": "fig-images-filters fig-images-probes", "C7": "fig-images-probes", "C2": "tbl-images-channels",
      "C3": "fig-images-invariance tbl-images-params", "C4": "fig-images-invariance fig-images-filters",
      "C5": "fig-images-params tbl-images-params", "C6": "fig-images-params tbl-images-params fig-images-probes",
      "F9": "fig-images-activations tbl-images-activations", "F12": "fig-images-activations tbl-images-activations",
      "F7": "tbl-images-activations", "F1": "tbl-images-params tbl-images-activations"}
rows = images.claim_rows(t, ev, snakemake.params.shift_probe)
evidence.write_claims(pd.DataFrame(rows), out.claims)
evidence.atomic_write_csv(images.activation_table(t["acts"]), out.activation_table)
evidence.atomic_write_csv(images.params_table(t["metrics"]), out.params_table)
evidence.atomic_write_csv(t["channels"], out.channels_table)
manifest = [
    ("fig-images-filters", fig["filters"], "C1 C4", "First-layer filters of one trained CNN (top), their fitted 2-D "
     "Gabors, and the same network's filters at initialization; right: Gabor R² of all filters for trained, "
     "initial and shuffled-label networks."),
    ("fig-images-probes", fig["probes"], "C1 C7 C6", "Test accuracy of a logistic-regression probe on the frozen "
     "features of each layer, trained CNN vs the same CNN at initialization (median over seeds, 95% CI)."),
    ("fig-images-invariance", fig["invariance"], "C3 C4", "Test accuracy under shifted (left) and rotated (right) "
     "test images: CNN with and without max pooling, and CNNs trained with random rotations (base and wider)."),
    ("fig-images-params", fig["params_accuracy"], "C5 C6", "Test accuracy vs parameter count of CNNs and dense networks "
     "trained on the same images (median over seeds, 95% CI); head_random trains only the head on random convs."),
    ("tbl-images-params", out.params_table, "C5 C3 C6 F1", "Per model: parameters and test accuracy (median over "
     "seeds, 95% bootstrap CI)."),
    ("fig-images-activations", fig["activations"], "F9 F12", "Training and test error of the same CNN with each "
     "activation on the full and the small training set (median over seeds, 95% bootstrap CI)."),
    ("tbl-images-activations", out.activation_table, "F9 F12 F7 F1", "Training error, test error and "
     "generalization gap per training-set size and activation (median over seeds, 95% bootstrap CI)."),
    ("tbl-images-channels", out.channels_table, "C2", "Per seed: channels of the last conv block a linear probe "
     "needs for 95% of its all-channel accuracy, top-k probe accuracies, and single-channel ablation drops."),
]
evidence.write_manifest(pd.DataFrame(manifest, columns=["id", "path", "claims", "caption"]).assign(
    kind=lambda m: m.id.str.split("-").str[0].map({"fig": "figure", "tbl": "table"})), out.manifest)
values = {f"{r['claim_id']}_{r['statistic']}": round(r["value"], 4) for r in rows}
values.update({f"params_{m}": int(p) for m, p in t["metrics"].groupby("model").params.first().items()})
values.update({f"n_train_{s}": int(n) for s, n in t["acts"].groupby("size").n_train.first().items()})
evidence.write_values(values, out.values)
