"""Linear probes on every layer (trained vs initial weights), channel counts and ablations, retrained heads."""
import pandas as pd

from relulab.studies.images import cnn, experiments
from relulab.core import evidence, runtime

log = runtime.start(snakemake)
cfg = snakemake.params.cfg
st = experiments.load_stack(snakemake.input.cnn)
d = experiments.load_data(cfg, cfg["n_train"])
args = (cfg["probe_n_train"], cfg["n_eval"], cfg["probe_l2"], cfg["probe_iters"])
stacks = {"trained": st, "random_init": cnn.Stack(st.spec, st.seeds)}
evidence.atomic_write_csv(experiments.layer_probes(stacks, d, *args), snakemake.output.probes)
channels = experiments.channel_analysis(st, d, *args, cfg["channel_fraction"])
log.info("classes needing several channels %s", channels.classes_several_channels_probe.tolist())
evidence.atomic_write_csv(channels, snakemake.output.channels)
head = pd.DataFrame({"seed": st.seeds, "retrained_head_acc": experiments.retrain_head(cfg, st, d)})
evidence.atomic_write_csv(head, snakemake.output.head)
