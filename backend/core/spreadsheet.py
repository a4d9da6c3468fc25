"""CSV exports opened in a spreadsheet."""


def csv_safe(value: str) -> str:
    """Spreadsheets run cells that start with = + - @: free text is defused with a leading quote."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
