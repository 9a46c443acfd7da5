# Verdicts: every claim's decision rule (config/claims.yaml) applied to the families' measured statistics.


rule verdicts:
    input:
        ledger="config/claims.yaml",
        tables=lambda wc: family_tables("claims"),
    output:
        "results/claims/verdicts.csv",
    params:
        families=lambda wc: FAMILIES,
        # the config files of this run; the last one besides config/config.yaml names the build
        configfiles=lambda wc: [os.path.relpath(str(f)) for f in workflow.configfiles],
    log:
        log_path("claims", "verdicts"),
    benchmark:
        bench_path("claims", "verdicts")
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    conda:
        CONDA_ENV
    script:
        "../scripts/claims_verdicts.py"
