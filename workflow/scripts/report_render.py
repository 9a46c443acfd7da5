"""Assemble results/report/build from ledger, verdicts and evidence, then render ONE self-contained HTML."""
from pathlib import Path

from relulab.reporting import assemble, render
from relulab.core import runtime

log = runtime.start(snakemake)
out = Path(snakemake.output[0])
build = out.parent / "build"
assemble.assemble(
    build,
    ledger=snakemake.input.ledger,
    verdicts=snakemake.input.verdicts,
    families=list(snakemake.params.families),
    results_dir="results",
    benchmarks_dir="results/benchmarks",
    config=dict(snakemake.params.config),
    report_src=snakemake.params.report_src,
    benchmark_patterns=dict(snakemake.params.benchmarks),
    configfiles=list(snakemake.params.configfiles),
)
log.info("assembled %s for families %s", build, list(snakemake.params.families))
# strict: an unknown {{< var >}} or unresolved @ref fails the rule, naming each of them
for warning in render.render(build, out, strict=True):
    log.warning("render: %s", warning)
log.info("wrote %s (%d bytes)", out, out.stat().st_size)
