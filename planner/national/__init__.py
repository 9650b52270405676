"""Many provinces at once: batch runs, synthetic provinces, summaries."""
