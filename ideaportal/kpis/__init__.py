"""KPIs: the numbers the product team steers by, aggregated in SQL and drawn as server-side SVG."""
