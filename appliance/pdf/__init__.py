"""PDF reports and bills (fpdf2). Importing the package loads no fpdf2: document, bill and chart's drawing do."""

LANGS = ("en", "tr", "bg", "az", "cs", "nb")   # the languages of the PDFs' own texts (document.TEXT, bill_text)
