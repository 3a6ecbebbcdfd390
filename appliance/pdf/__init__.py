"""PDF reports and bills (fpdf2)."""
