# Report: one self-contained HTML file from the ledger, the verdicts, every family's evidence tables
# and the benchmark files. Inputs and params are lambdas (evaluated after all includes), so include
# order does not matter. The report's own sources are inputs, so editing report/ re-renders it.
import glob

REPORT_SRC = os.path.join(workflow.basedir, "report")


rule report:
    input:
        unpack(
            lambda wc: {
                "ledger": "config/claims.yaml",
                "schema": "config/schema.yaml",
                "verdicts": "results/claims/verdicts.csv",
                "manifests": family_tables("manifest"),
                "claims": family_tables("claims"),
                "sources": sorted(filter(os.path.isfile, glob.glob(os.path.join(REPORT_SRC, "**"), recursive=True))),
            }
        ),
    output:
        "results/report/index.html",
    params:
        config=config,
        families=lambda wc: list(FAMILIES),
        # each rule's benchmark pattern, so benchmark files can be attributed to rules
        benchmarks=lambda wc: {
            r.name: str(r.benchmark) for r in workflow.rules if r.benchmark and not callable(r.benchmark)
        },
        report_src=REPORT_SRC,
        # the config files of this run (config/config.yaml, then any --configfile), named in the banner
        configfiles=lambda wc: [os.path.relpath(str(f)) for f in workflow.configfiles],
    log:
        log_path("report", "report"),
    benchmark:
        bench_path("report", "report")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    message:
        "Assembling and rendering the report"
    conda:
        CONDA_ENV
    script:
        "../scripts/report_render.py"
