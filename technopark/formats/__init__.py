"""Dates and numbers as each language writes them (settings.FORMAT_MODULE_PATH, issue 19).

Django's own modules are the fallback; these override what Morocco's French and Arabic
readers expect. The grouping separator is a no-break space (U+00A0) in both, like Django's
French: its bidirectional class is "common separator", so a grouped number stays one number
inside an Arabic line, and a PDF's fonts all have it. Grouping is applied by the helpers of
core.formatting (force_grouping), not by USE_THOUSAND_SEPARATOR: that setting would group
every integer a template prints, years and ids included."""
