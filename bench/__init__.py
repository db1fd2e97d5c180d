"""Speed measurements (DESIGN.md, Tests and measurements): scripts run by hand, results in docs/benchmarks.md."""
