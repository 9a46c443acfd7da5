"""Train one grid cell (task x activation x architecture), all seeds together."""
import json

from relulab.core import models, runtime
from relulab.studies.surfaces import experiments
from relulab.core.evidence import atomic_write_csv, atomic_write_text

log = runtime.start(snakemake)
w = snakemake.wildcards
cell = experiments.cell_from_config(snakemake.params.cfg, w.task, w.activation, w.arch, snakemake.params.seeds)
log.info("cell %s", cell)
params, init, metrics, history = experiments.run_cell(cell)
log.info("final metrics\n%s", metrics.to_string())
atomic_write_csv(metrics, snakemake.output.metrics)
atomic_write_csv(history, snakemake.output.history)
atomic_write_text(snakemake.output.spec, json.dumps(cell.to_dict(), indent=1))
models.save_checkpoint(snakemake.output.model, cell.mlp(), params, seeds=cell.seeds, init_params=init,
                       meta={"cell": cell.to_dict()})
