"""Linear probes on every layer (trained vs initial weights), channel counts and ablations, retrained heads."""
import pandas as pd

from relulab.studies.images import cnn, experiments as images
from relulab.core import evidence, runtime

log = runtime.start(snakemake)
cfg = snakemake.params.cfg
st = images.load_stack(snakemake.input.cnn)
d = images.load_data(cfg, cfg["n_train"])
args = (cfg["probe_n_train"], cfg["n_eval"], cfg["probe_l2"], cfg["probe_iters"])
stacks = {"trained": st, "random_init": cnn.Stack(st.spec, st.seeds)}
evidence.atomic_write_csv(images.layer_probes(stacks, d, *args), snakemake.output.probes)
channels = images.channel_analysis(st, d, *args, cfg["channel_fraction"])
log.info("channels needed %s", channels.channels_needed.tolist())
evidence.atomic_write_csv(channels, snakemake.output.channels)
head = pd.DataFrame({"seed": st.seeds, "retrained_head_acc": images.retrain_head(cfg, st, d)})
evidence.atomic_write_csv(head, snakemake.output.head)
