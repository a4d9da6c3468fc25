"""The town's statistics: monthly aggregates that outlive the personal rows they were computed from."""
