"""Build the Portuguese demo ERP database."""
