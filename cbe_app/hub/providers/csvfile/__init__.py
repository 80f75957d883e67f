"""Orders from CSV/XLSX files exported by ERPs, spreadsheets and finance tools."""
