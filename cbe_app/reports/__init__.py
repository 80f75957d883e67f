"""Reports, KPIs and dashboards: specs, the query compiler, and running them."""
