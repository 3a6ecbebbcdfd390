"""The report pages: any breakdown (/reports), named time ranges, the traffic reports, their exports, and the bill."""
