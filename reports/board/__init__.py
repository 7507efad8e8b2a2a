"""Monthly board reports (issue 6, point 5), one module per concern:
- `content`: what a report says (its scope and month, figures and tables) and how they
  read in the report's language;
- `pdf` and `xlsx`: the report's two files (WeasyPrint through core.pdf, with `chart`'s SVG
  charts; openpyxl);
- `files`: where those files live in storage and the names the downloads get;
- `jobs`: requesting, generating (in a Celery worker, with a claim and a heartbeat),
  reclaiming the reports of dead workers, the monthly request, and their Celery tasks.
"""
