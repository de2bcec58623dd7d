"""hotfolders: workspace, watcher and intake — every dropped file is processed or quarantined with a reason."""
