"""The only glue between the models and the rest: views and commands call these functions,
and these call the pure modules (engine, importing, imagefetch, rendering)."""
