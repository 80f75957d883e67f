"""Background jobs: the job table users watch, the runner tasks call, and dispatch by task name."""
