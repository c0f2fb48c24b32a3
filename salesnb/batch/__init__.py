"""The machinery of batch per-rep reports (`salesnb.reports` is the entry point).

- `runner`: one rep's report in a worker process (view, notebook, HTML); failures become outcomes
- `cluster`: where the reports run: a Dask distributed cluster, local or `--scheduler`; faults, progress
- `warm_kernel`: the ``salesnb-warm`` papermill engine: one kernel per worker process, reset between reports
- `export`: offline, self-contained HTML (the ``salesnb_report`` nbconvert template)
- `naming`: safe, unique, stable file names for any rep id
- `index`: the manager's index page
- `privacy`: the scan for other reps' names and ids in a report
- `pdf`: a report printed to PDF by Chromium (one browser per run)
- `finish`: after a report is written: the privacy scan, then its PDF
- `status`: each rep's status record (what a run wrote and checked; what `salesnb send` reads)
- `atomic`: writes that leave a complete file or none
"""
